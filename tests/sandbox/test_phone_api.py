"""The simulated customer phone (C6) reads its chat with the company through the sandbox
phone API, the way the sandbox page does: menu, choice, agent answer, read ticks."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from nexus.kit.storage import LocalStorage
from nexus.messages.outbound import queue_outbound
from nexus.models import ChannelKind, Connection, Conversation, MessageType
from nexus.sandbox import service as sandbox_module
from tests.fixtures.api import signup
from tests.fixtures.eventually import eventually
from tests.fixtures.sandbox import SandboxPhone, phone_for
from tests.fixtures.world import World, make_world

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def key_of(phone: SandboxPhone) -> str:
    return phone.webhook_url.rsplit("/", 1)[-1]


async def read_chat(
    phone: SandboxPhone, *, after: str | None = None, number: str | None = None
) -> Response:
    query: dict[str, Any] = {"phone": number or phone.phone}
    if after is not None:
        query["after"] = after
    return await phone.client.get(
        f"/api/sandbox/{key_of(phone)}/chat", params=query, headers={"X-Sandbox-Token": phone.token}
    )


async def chat(phone: SandboxPhone, *, after: str | None = None) -> dict[str, Any]:
    response = await read_chat(phone, after=after)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def when(phone: SandboxPhone, check: Any, *, after: str | None = None) -> Any:
    async def probe() -> dict[str, Any] | None:
        body = await chat(phone, after=after)
        return body if check(body["items"]) else None

    return eventually(probe)


async def conversation_of(world: World) -> dict[str, Any] | None:
    page = (await world.client.get("/api/conversations", headers=world.admin.headers)).json()
    return page["items"][0] if page["items"] else None


async def test_the_phone_follows_its_whole_chat(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No settle window: a poll with the cursor then returns exactly what changed since.
    monkeypatch.setattr(sandbox_module, "SETTLE", timedelta(0))
    world = await make_world(app, client)
    await world.department("suporte")
    await world.department("vendas")
    agent = await world.agent("suporte")
    phone = await phone_for(client, world.admin, "+5511988887777")

    sent_id = await phone.say("Olá, preciso de ajuda")
    first = await when(phone, lambda items: len(items) >= 3)
    greeting, menu = first["items"][1], first["items"][2]
    assert first["items"][0] == {
        "id": sent_id,
        "direction": "inbound",
        "type": "text",
        "text": "Olá, preciso de ajuda",
        "media": None,
        "payload": None,
        "status": "received",
        "is_bot": False,
        "sender_name": None,
        "created_at": first["items"][0]["created_at"],
    }
    assert greeting["is_bot"] and greeting["direction"] == "outbound"
    assert greeting["id"].startswith("sbx_") and greeting["status"] == "sent"
    options = menu["payload"]["menu"]
    assert [o["title"] for o in options] == ["Suporte", "Vendas"]

    await phone.say(
        "", type="interactive", interactive_reply={"id": options[0]["id"], "title": "Suporte"}
    )
    conversation = await eventually(lambda: _assigned(world))
    assert conversation["assignee_id"] == agent.user_id

    answer = await client.post(
        "/api/messages/send",
        headers=agent.headers,
        json={"conversation_id": conversation["id"], "content": "Oi! Em que posso ajudar?"},
    )
    assert answer.status_code == 202, answer.text
    seen = await when(
        phone, lambda items: any(i["text"] == "Oi! Em que posso ajudar?" for i in items)
    )
    reply = seen["items"][-1]
    assert reply["text"] == "Oi! Em que posso ajudar?"
    assert reply["direction"] == "outbound" and not reply["is_bot"]
    assert reply["status"] == "sent"
    assert reply["sender_name"] == await _name_of(world, agent.user_id)
    times = [item["created_at"] for item in seen["items"]]
    assert times == sorted(times)  # the chat in order

    cursor = seen["cursor"]
    nothing = await chat(phone, after=cursor)
    assert nothing["items"] == []  # a poll with nothing new is empty

    await phone.post({"event": "status", "message_id": reply["id"], "status": "delivered"})
    delivered = await when(phone, lambda items: len(items) > 0, after=cursor)
    assert [(i["id"], i["status"]) for i in delivered["items"]] == [(reply["id"], "delivered")]

    await phone.post({"event": "status", "message_id": reply["id"], "status": "read"})
    read = await when(phone, lambda items: len(items) > 0, after=delivered["cursor"])
    assert [(i["id"], i["status"]) for i in read["items"]] == [(reply["id"], "read")]

    # A late "delivered" never moves it back, for the phone or for the agent.
    await phone.post({"event": "status", "message_id": reply["id"], "status": "delivered"})
    agent_view = await client.get(
        f"/api/conversations/{conversation['id']}/messages", headers=agent.headers
    )
    mine = [m for m in agent_view.json()["items"] if m["id"] == answer.json()["id"]]
    assert mine[0]["status"] == "read" and mine[0]["read_at"] is not None
    whole = await chat(phone)
    assert [i["status"] for i in whole["items"] if i["id"] == reply["id"]] == ["read"]


async def test_the_phone_opens_a_file_the_company_sent(
    app: FastAPI, client: AsyncClient, data_dir: Any
) -> None:
    world = await make_world(app, client)
    phone = await phone_for(client, world.admin, "+5511977776666")
    await phone.say("Manda a foto?")
    conversation = await eventually(lambda: conversation_of(world))
    storage = LocalStorage(data_dir / "media")
    key = storage.key_for(world.company_id, uuid.uuid4(), "foto.png")
    await storage.save(key, PNG)
    async with app.state.database.write() as session:
        row = await session.get(Conversation, uuid.UUID(conversation["id"]))
        assert row is not None
        media = {"storage_key": key, "mime_type": "image/png", "filename": "foto.png"}
        await queue_outbound(session, row, type=MessageType.image, content="Aqui", media=media)

    body = await when(phone, lambda items: any(i["type"] == "image" for i in items))
    image = next(i for i in body["items"] if i["type"] == "image")
    assert image["media"]["mime_type"] == "image/png" and image["text"] == "Aqui"
    file = await client.get(image["media"]["url"])  # as <img src> loads it: no header
    assert file.status_code == 200
    assert file.content == PNG and file.headers["content-type"] == "image/png"

    wrong = await client.get(
        f"/api/sandbox/{key_of(phone)}/media/{image['id']}", params={"token": "nope"}
    )
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "invalid_token"
    text_only = await client.get(
        f"/api/sandbox/{key_of(phone)}/media/{body['items'][0]['id']}",
        params={"token": phone.token},
    )
    assert text_only.status_code == 404


async def test_the_token_is_checked_like_the_webhooks(app: FastAPI, client: AsyncClient) -> None:
    world = await make_world(app, client)
    phone = await phone_for(client, world.admin, "+5511966665555")
    url = f"/api/sandbox/{key_of(phone)}/chat"

    missing = await client.get(url, params={"phone": phone.phone})
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "missing_token"
    wrong = await client.get(
        url, params={"phone": phone.phone}, headers={"X-Sandbox-Token": phone.token + "x"}
    )
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "invalid_token"
    unknown = await client.get(
        "/api/sandbox/no-such-key/chat",
        params={"phone": phone.phone},
        headers={"X-Sandbox-Token": phone.token},
    )
    assert unknown.status_code == 404
    bad_phone = await read_chat(phone, number="not a phone")
    assert bad_phone.status_code == 422
    bad_cursor = await read_chat(phone, after="garbage")
    assert bad_cursor.status_code == 422


async def test_only_sandbox_connections_have_a_phone(app: FastAPI, client: AsyncClient) -> None:
    world = await make_world(app, client)
    key, token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    async with app.state.database.write() as session:
        session.add(
            Connection(
                company_id=world.company_id,
                name="WAHA",
                channel=ChannelKind.waha,
                webhook_key=key,
                verify_token=token,
            )
        )
    response = await client.get(
        f"/api/sandbox/{key}/chat",
        params={"phone": "+5511955554444"},
        headers={"X-Sandbox-Token": token},
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_sandbox"


async def test_another_companys_chat_never_leaks(app: FastAPI, client: AsyncClient) -> None:
    ours = await make_world(app, client)
    theirs = await signup(client)
    our_phone = await phone_for(client, ours.admin, "+5511944443333")
    their_phone = await phone_for(client, theirs, "+5511944443333")  # the same customer
    secret_id = await their_phone.say("Segredo da outra empresa")
    await when(their_phone, lambda items: len(items) >= 2)

    ours_seen = await chat(our_phone)
    assert ours_seen["items"] == []
    crossed = await client.get(
        f"/api/sandbox/{key_of(their_phone)}/chat",
        params={"phone": their_phone.phone},
        headers={"X-Sandbox-Token": our_phone.token},
    )
    assert crossed.status_code == 403
    media = await client.get(
        f"/api/sandbox/{key_of(our_phone)}/media/{secret_id}", params={"token": our_phone.token}
    )
    assert media.status_code == 404


async def _assigned(world: World) -> dict[str, Any] | None:
    conversation = await conversation_of(world)
    return conversation if conversation and conversation["status"] == "assigned" else None


async def _name_of(world: World, user_id: str) -> str:
    me = await world.client.get(f"/api/users/{user_id}", headers=world.admin.headers)
    assert me.status_code == 200, me.text
    name: str = me.json()["name"]
    return name
