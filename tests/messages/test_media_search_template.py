"""The agent's file uploads, the media route, message search and templates, through the API
on a sandbox conversation (the customer writes through the sandbox webhook)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from tests.fixtures.api import Account, signup
from tests.fixtures.eventually import eventually
from tests.fixtures.sandbox import SandboxPhone, phone_for
from tests.fixtures.world import World, make_world

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
SANDBOX_MEDIA_LIMIT = 16 * 1024 * 1024


async def _assigned_conversation(
    world: World, phone: SandboxPhone, first_words: str
) -> dict[str, Any]:
    """The customer writes, picks "Suporte" in the bot's menu and is assigned to its agent."""
    await phone.say(first_words)

    async def menu_sent() -> dict[str, Any] | None:
        page = (await world.client.get("/api/conversations", headers=world.admin.headers)).json()
        if len(page["items"]) != 1:
            return None
        conversation: dict[str, Any] = page["items"][0]
        messages = await _messages(world, conversation["id"])
        return conversation if any(m["is_bot"] for m in messages) else None

    conversation = await eventually(menu_sent)
    await phone.say("1")

    async def assigned() -> dict[str, Any] | None:
        response = await world.client.get(
            f"/api/conversations/{conversation['id']}", headers=world.admin.headers
        )
        body: dict[str, Any] = response.json()
        return body if body["status"] == "assigned" else None

    return await eventually(assigned)


async def _message_ids(world: World, conversation_id: str) -> set[str]:
    # Ids only: the bot's messages change status in the background meanwhile.
    return {message["id"] for message in await _messages(world, conversation_id)}


async def _messages(world: World, conversation_id: str) -> list[dict[str, Any]]:
    response = await world.client.get(
        f"/api/conversations/{conversation_id}/messages", headers=world.admin.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _setup(app: FastAPI, client: AsyncClient) -> tuple[World, Account, dict[str, Any]]:
    world = await make_world(app, client)
    await world.department("suporte")
    await world.department("vendas")
    agent = await world.agent("suporte")
    phone = await phone_for(client, world.admin, "+5511977776666")
    conversation = await _assigned_conversation(world, phone, "Meu boleto sumiu do aplicativo")
    assert conversation["assignee_id"] == agent.user_id
    return world, agent, conversation


async def _upload(
    client: AsyncClient,
    agent: Account,
    conversation_id: str,
    data: bytes,
    *,
    filename: str = "foto.png",
    mime_type: str = "image/png",
    **fields: str,
) -> Any:
    return await client.post(
        "/api/messages/send-media",
        headers=agent.headers,
        data={"conversation_id": conversation_id, **fields},
        files={"file": (filename, data, mime_type)},
    )


def _stored_files(data_dir: Path) -> list[Path]:
    return [path for path in (data_dir / "media").rglob("*") if path.is_file()]


async def test_uploaded_image_comes_back_byte_identical(app: FastAPI, client: AsyncClient) -> None:
    _, agent, conversation = await _setup(app, client)

    sent = await _upload(
        client,
        agent,
        conversation["id"],
        PNG,
        caption="Segue o comprovante",
        idempotency_key="upload-0001",
    )

    assert sent.status_code == 202, sent.text
    message = sent.json()
    assert message["type"] == "image"
    assert message["content"] == "Segue o comprovante"
    assert message["media"]["mime_type"] == "image/png"
    assert message["media"]["size"] == len(PNG)
    again = await _upload(client, agent, conversation["id"], PNG, idempotency_key="upload-0001")
    assert again.json()["id"] == message["id"]  # a retried upload sends nothing twice

    media = await client.get(f"/api/messages/{message['id']}/media", headers=agent.headers)
    assert media.status_code == 200, media.text
    assert media.content == PNG
    assert media.headers["content-type"] == "image/png"
    assert 'filename="foto.png"' in media.headers["content-disposition"]


async def test_too_large_or_unsupported_file_is_refused_and_nothing_is_stored(
    app: FastAPI, client: AsyncClient, data_dir: Path
) -> None:
    world, agent, conversation = await _setup(app, client)
    before = await _message_ids(world, conversation["id"])
    stored = _stored_files(data_dir)

    too_large = await _upload(client, agent, conversation["id"], b"\0" * (SANDBOX_MEDIA_LIMIT + 1))
    empty = await _upload(client, agent, conversation["id"], b"")

    for response in (too_large, empty):
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["details"][0]["field"] == "file"
    assert too_large.json()["error"]["details"][0]["type"] == "file_too_large"
    assert await _message_ids(world, conversation["id"]) == before
    assert _stored_files(data_dir) == stored


async def test_media_route_is_hidden_from_other_departments_and_companies(
    app: FastAPI, client: AsyncClient
) -> None:
    world, agent, conversation = await _setup(app, client)
    sent = await _upload(client, agent, conversation["id"], PNG)
    assert sent.status_code == 202, sent.text
    url = f"/api/messages/{sent.json()['id']}/media"
    other_department = await world.agent("vendas")
    other_company = await signup(client)

    for account in (other_department, other_company):
        response = await client.get(url, headers=account.headers)
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "not_found"
    assert (await client.get(url, headers=world.admin.headers)).content == PNG


async def test_media_route_404_for_a_message_without_a_file(
    app: FastAPI, client: AsyncClient
) -> None:
    world, agent, conversation = await _setup(app, client)
    text = next(m for m in await _messages(world, conversation["id"]) if m["media"] is None)

    response = await client.get(f"/api/messages/{text['id']}/media", headers=agent.headers)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "media_not_found"


async def test_search_finds_inbound_words_only_for_who_may_see_them(
    app: FastAPI, client: AsyncClient
) -> None:
    world, agent, conversation = await _setup(app, client)
    unrelated = await world.agent("vendas")

    found = await client.get("/api/messages/search", headers=agent.headers, params={"q": "boleto"})
    hidden = await client.get(
        "/api/messages/search", headers=unrelated.headers, params={"q": "boleto"}
    )
    in_conversation = await client.get(
        "/api/messages/search",
        headers=agent.headers,
        params={"q": "aplicat", "conversation_id": conversation["id"]},
    )

    assert found.status_code == 200, found.text
    [hit] = found.json()["items"]
    message = hit["message"]
    assert message["conversation_id"] == conversation["id"]
    assert message["direction"] == "inbound"
    assert hit["contact"]["id"] == conversation["contact"]["id"]
    assert hit["contact"]["phone"] == "+5511977776666"
    assert found.json()["next_cursor"] is None
    assert hidden.status_code == 200 and hidden.json()["items"] == []
    assert [h["message"]["id"] for h in in_conversation.json()["items"]] == [message["id"]]


async def test_search_pages_through_every_match_newest_first_by_cursor(
    app: FastAPI, client: AsyncClient
) -> None:
    world, agent, conversation = await _setup(app, client)
    phone = await phone_for(client, world.admin, "+5511977775555")
    for n in range(4):
        await phone.say(f"Segunda via do boleto, tentativa {n}")
    await phone.say("Nada a ver com a busca")

    async def stored() -> list[dict[str, Any]] | None:
        response = await client.get(
            "/api/messages/search", headers=world.admin.headers, params={"q": "boleto"}
        )
        items: list[dict[str, Any]] = response.json()["items"]
        return items if len(items) == 5 else None

    everything = await eventually(stored)
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        params = {"q": "BOLET", "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get(
            "/api/messages/search", headers=world.admin.headers, params=params
        )
        assert response.status_code == 200, response.text
        pages.append(response.json()["items"])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break

    assert [len(page) for page in pages] == [2, 2, 1]
    paged = [hit["message"]["id"] for page in pages for hit in page]
    assert paged == [hit["message"]["id"] for hit in everything]
    created = [(hit["message"]["created_at"], hit["message"]["id"]) for hit in everything]
    assert created == sorted(created, reverse=True)
    phones = {hit["message"]["id"]: hit["contact"]["phone"] for hit in everything}
    assert sorted(phones.values()) == ["+5511977775555"] * 4 + ["+5511977776666"]
    # The agent of "suporte" does not see the second customer's conversation (still in the bot).
    mine = await client.get("/api/messages/search", headers=agent.headers, params={"q": "boleto"})
    assert [hit["message"]["conversation_id"] for hit in mine.json()["items"]] == [
        conversation["id"]
    ]


async def test_search_ignores_accents_in_the_words_and_in_the_query(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    phone = await phone_for(client, world.admin, "+5511977774444")
    await phone.say("Não consegui usar a promoção")
    await phone.say("Nao achei o cartao")

    async def texts_found(query: str) -> list[str]:
        response = await client.get(
            "/api/messages/search", headers=world.admin.headers, params={"q": query}
        )
        assert response.status_code == 200, response.text
        return sorted(hit["message"]["content"] for hit in response.json()["items"])

    async def both_stored() -> list[str] | None:
        found = await texts_found("nao")
        return found if len(found) == 2 else None

    assert await eventually(both_stored) == ["Nao achei o cartao", "Não consegui usar a promoção"]
    assert await texts_found("NÃO") == ["Nao achei o cartao", "Não consegui usar a promoção"]
    assert await texts_found("promocao") == ["Não consegui usar a promoção"]
    assert await texts_found("cartão") == ["Nao achei o cartao"]
    assert await texts_found("promoçã") == ["Não consegui usar a promoção"]  # a prefix


async def test_search_refuses_a_bad_cursor(app: FastAPI, client: AsyncClient) -> None:
    account = await signup(client)

    response = await client.get(
        "/api/messages/search", headers=account.headers, params={"q": "x", "cursor": "nope"}
    )

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "cursor"


async def test_template_on_a_sandbox_conversation_is_refused(
    app: FastAPI, client: AsyncClient
) -> None:
    world, agent, conversation = await _setup(app, client)
    before = await _message_ids(world, conversation["id"])

    response = await client.post(
        "/api/messages/send-template",
        headers=agent.headers,
        json={
            "conversation_id": conversation["id"],
            "template_name": "order_update",
            "language": "pt_BR",
        },
    )

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"][0]["field"] == "template_name"
    assert error["details"][0]["type"] == "templates_unsupported"
    assert await _message_ids(world, conversation["id"]) == before
