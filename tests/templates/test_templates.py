"""M7/K4 through the API: a Cloud API conversation whose 24-hour window is closed refuses
free text, lists the number's approved templates and sends one, filled in, to the fake
Graph API."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from nexus.conversations.service import conversation_service
from nexus.kit.models import utc_now
from nexus.models import Contact
from tests.fakes.cloud_api import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, WABA_ID, FakeCloudApi
from tests.fixtures.api import signup
from tests.fixtures.eventually import eventually
from tests.fixtures.sandbox import sandbox_connection
from tests.fixtures.world import World, make_world

CUSTOMER = "5511955554444"


async def _cloud_connection(world: World, fake: FakeCloudApi, **config: str) -> str:
    response = await world.client.post(
        "/api/connections",
        headers=world.admin.headers,
        json={
            "name": "Cloud",
            "channel": "cloud_api",
            "config": {"phone_number_id": PHONE_NUMBER_ID, "base_url": fake.base_url, **config},
            "secrets": {"access_token": ACCESS_TOKEN, "app_secret": APP_SECRET},
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _quiet_conversation(world: World, connection_id: str) -> str:
    """A customer who last wrote 25 hours ago: the window is closed."""
    async with world.app.state.database.write() as session:
        contact = Contact(company_id=world.company_id, name="Ana", phone=f"+{CUSTOMER}")
        session.add(contact)
        await session.flush()
        conversation = await conversation_service.open(
            session,
            company_id=world.company_id,
            contact_id=contact.id,
            connection_id=uuid.UUID(connection_id),
        )
        conversation.chat_id = CUSTOMER
        conversation.last_inbound_at = utc_now() - timedelta(hours=25)
    return str(conversation.id)


async def _closed_window(
    app: FastAPI, client: AsyncClient, fake: FakeCloudApi
) -> tuple[World, str, str]:
    """A company with a Cloud API number that can list its templates, and a conversation of
    it whose window is closed: the world, the connection's id and the conversation's."""
    world = await make_world(app, client)
    connection_id = await _cloud_connection(world, fake, waba_id=WABA_ID)
    return world, connection_id, await _quiet_conversation(world, connection_id)


async def _templates(world: World, connection_id: str) -> Any:
    return await world.client.get(
        "/api/templates", headers=world.admin.headers, params={"connection_id": connection_id}
    )


async def test_closed_window_refuses_text_and_sends_a_filled_in_template(
    app: FastAPI, client: AsyncClient, fake_cloud_api: FakeCloudApi
) -> None:
    world, connection_id, conversation_id = await _closed_window(app, client, fake_cloud_api)

    text = await client.post(
        "/api/messages/send",
        headers=world.admin.headers,
        json={"conversation_id": conversation_id, "content": "Oi"},
    )
    listed = await _templates(world, connection_id)

    assert text.status_code == 409 and text.json()["error"]["code"] == "window_closed"
    assert listed.status_code == 200, listed.text
    templates = {(t["name"], t["language"]): t for t in listed.json()}
    assert set(templates) == {
        ("order_update", "pt_BR"),
        ("retomar_contato", "pt_BR"),
        ("boleto_pdf", "pt_BR"),
        ("order_update", "en_US"),
    }
    order = templates[("order_update", "pt_BR")]
    assert order == {
        "name": "order_update",
        "language": "pt_BR",
        "category": "UTILITY",
        "header_format": "text",
        "header": "Seu pedido",
        "header_parameters": [],
        "body": "Olá {{1}}, o pedido {{2}} saiu para entrega.",
        "footer": "Loja X",
        "parameters": ["1", "2"],
        "named_parameters": False,
        "buttons": [],
        "supported": True,
    }
    assert templates[("retomar_contato", "pt_BR")]["named_parameters"] is True

    components = [
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "#4521"}],
        }
    ]
    sent = await _send_template(
        world,
        conversation_id,
        "order_update",
        components,
        preview="Olá Ana, o pedido #4521 saiu para entrega.",
        idempotency_key="template-0001",
    )

    assert sent.status_code == 202, sent.text
    assert sent.json()["type"] == "template"
    assert sent.json()["content"] == "Olá Ana, o pedido #4521 saiu para entrega."
    await eventually(lambda: _delivered(fake_cloud_api))
    [body] = fake_cloud_api.sent
    assert body["to"] == CUSTOMER
    assert body["template"] == {
        "name": "order_update",
        "language": {"code": "pt_BR"},
        "components": components,
    }


async def _delivered(fake: FakeCloudApi) -> bool:
    return bool(fake.sent)


BOLETO_LINK = "https://files.example.com/boleto-4521.pdf"


async def _send_template(
    world: World, conversation_id: str, name: str, components: list[Any], **fields: str
) -> Any:
    return await world.client.post(
        "/api/messages/send-template",
        headers=world.admin.headers,
        json={
            "conversation_id": conversation_id,
            "template_name": name,
            "language": "pt_BR",
            "components": components,
            **fields,
        },
    )


async def _send_boleto(world: World, conversation_id: str, components: list[Any]) -> Any:
    response = await _send_template(
        world, conversation_id, "boleto_pdf", components, preview="Segue seu boleto."
    )
    assert response.status_code == 202, response.text
    return response.json()


async def test_a_template_with_a_document_header_and_a_link_button_is_sent_filled_in(
    app: FastAPI, client: AsyncClient, fake_cloud_api: FakeCloudApi
) -> None:
    world, connection_id, conversation_id = await _closed_window(app, client, fake_cloud_api)

    listed = {t["name"]: t for t in (await _templates(world, connection_id)).json()}
    boleto = listed["boleto_pdf"]
    assert boleto["supported"] is True
    assert boleto["header_format"] == "document"
    assert boleto["buttons"] == [
        {"index": 0, "type": "url", "text": "Pagar", "url": "https://x.example/{{1}}"}
    ]
    components = [
        {"type": "header", "parameters": [{"type": "document", "document": {"link": BOLETO_LINK}}]},
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "4521"}],
        },
    ]
    await _send_boleto(world, conversation_id, components)

    await eventually(lambda: _delivered(fake_cloud_api))
    [body] = fake_cloud_api.sent
    assert body["template"]["components"] == components


async def test_a_template_sent_without_its_header_fails_with_metas_reason(
    app: FastAPI, client: AsyncClient, fake_cloud_api: FakeCloudApi
) -> None:
    world, _, conversation_id = await _closed_window(app, client, fake_cloud_api)
    button = {
        "type": "button",
        "sub_type": "url",
        "index": "0",
        "parameters": [{"type": "text", "text": "4521"}],
    }

    message = await _send_boleto(world, conversation_id, [button])

    async def failed() -> dict[str, Any] | None:
        response = await client.get(
            f"/api/conversations/{conversation_id}/messages", headers=world.admin.headers
        )
        [item] = [m for m in response.json()["items"] if m["id"] == message["id"]]
        return item if item["status"] == "failed" else None

    failed_message = await eventually(failed)
    assert failed_message["error_code"] == "132000"
    assert "parameters" in failed_message["error_message"]
    assert fake_cloud_api.sent == []


async def test_templates_need_the_business_account_id(
    app: FastAPI, client: AsyncClient, fake_cloud_api: FakeCloudApi
) -> None:
    world = await make_world(app, client)
    connection_id = await _cloud_connection(world, fake_cloud_api)

    response = await _templates(world, connection_id)

    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "connection_misconfigured"
    assert "waba_id" in response.json()["error"]["message"]


async def test_provider_failure_is_a_502_with_its_code(
    app: FastAPI, client: AsyncClient, fake_cloud_api: FakeCloudApi
) -> None:
    world = await make_world(app, client)
    connection_id = await _cloud_connection(world, fake_cloud_api, waba_id=WABA_ID)
    fake_cloud_api.error_next(190, status=401)  # expired token

    response = await _templates(world, connection_id)

    assert response.status_code == 502, response.text
    assert response.json()["error"]["details"]["provider_code"] == "190"


async def test_sandbox_has_no_templates_and_other_companies_see_none(
    app: FastAPI, client: AsyncClient, fake_cloud_api: FakeCloudApi
) -> None:
    world = await make_world(app, client)
    sandbox = await sandbox_connection(client, world.admin)
    cloud = await _cloud_connection(world, fake_cloud_api, waba_id=WABA_ID)
    stranger = await signup(client)

    unsupported = await _templates(world, sandbox["id"])
    hidden = await client.get(
        "/api/templates", headers=stranger.headers, params={"connection_id": cloud}
    )

    assert unsupported.status_code == 409
    assert unsupported.json()["error"]["code"] == "not_supported"
    assert hidden.status_code == 404
    assert fake_cloud_api.received("/message_templates") == []
