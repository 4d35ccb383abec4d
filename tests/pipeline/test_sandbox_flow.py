"""The whole inbound → bot → routing → agent answer path on the sandbox channel."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from tests.fixtures.eventually import eventually
from tests.fixtures.sandbox import phone_for
from tests.fixtures.world import World, make_world


async def _messages(world: World, conversation_id: str) -> list[dict[str, Any]]:
    response = await world.client.get(
        f"/api/conversations/{conversation_id}/messages", headers=world.admin.headers
    )
    assert response.status_code == 200, response.text
    return list(reversed(response.json()["items"]))


async def _only_conversation(world: World) -> dict[str, Any] | None:
    page = (await world.client.get("/api/conversations", headers=world.admin.headers)).json()
    return page["items"][0] if len(page["items"]) == 1 else None


async def test_new_customer_gets_menu_picks_support_and_is_answered(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    await world.department("vendas")
    await world.department("suporte")
    agent = await world.agent("suporte")
    phone = await phone_for(client, world.admin, "+5511988887777")

    await phone.say("Olá, preciso de ajuda")
    conversation = await eventually(lambda: _only_conversation(world))
    messages = await eventually(
        lambda: _messages_when(world, conversation["id"], lambda ms: len(ms) >= 3)
    )
    assert (
        messages[0]["direction"] == "inbound" and messages[0]["content"] == "Olá, preciso de ajuda"
    )
    assert messages[1]["is_bot"] and "Bem-vindo" in messages[1]["content"]
    # Departments in position order, then by name.
    assert "1 - Suporte\n2 - Vendas" in messages[2]["content"]
    assert messages[2]["payload"]["menu"][0]["title"] == "Suporte"

    await phone.say("1")
    assigned = await eventually(lambda: _assigned(world, conversation["id"]))
    assert assigned["assignee_id"] == agent.user_id
    assert assigned["contact"]["phone"] == "+5511988887777"

    sent = await client.post(
        "/api/messages/send",
        headers=agent.headers,
        json={
            "conversation_id": conversation["id"],
            "content": "Oi! Em que posso ajudar?",
            "idempotency_key": "agent-reply-0001",
        },
    )
    assert sent.status_code == 202, sent.text
    again = await client.post(
        "/api/messages/send",
        headers=agent.headers,
        json={
            "conversation_id": conversation["id"],
            "content": "Oi! Em que posso ajudar?",
            "idempotency_key": "agent-reply-0001",
        },
    )
    assert again.json()["id"] == sent.json()["id"]  # a retried POST sends nothing twice

    reply = await eventually(
        lambda: _message_with_status(world, conversation["id"], sent.json()["id"], "sent")
    )
    # The phone reads it: statuses advance like a real phone's.
    await phone.post(
        {
            "event": "status",
            "message_id": reply["provider_message_id"],
            "status": "read",
            "to": phone.phone,
        }
    )
    await phone.post(
        {
            "event": "status",
            "message_id": reply["provider_message_id"],
            "status": "delivered",
            "to": phone.phone,
        }
    )  # late, out of order
    await eventually(
        lambda: _message_with_status(world, conversation["id"], sent.json()["id"], "read")
    )


async def _messages_when(world: World, conversation_id: str, check: Any) -> Any:
    messages = await _messages(world, conversation_id)
    return messages if check(messages) else None


async def _assigned(world: World, conversation_id: str) -> dict[str, Any] | None:
    response = await world.client.get(
        f"/api/conversations/{conversation_id}", headers=world.admin.headers
    )
    body: dict[str, Any] = response.json()
    return body if body["status"] == "assigned" else None


async def _message_with_status(
    world: World, conversation_id: str, message_id: str, status: str
) -> dict[str, Any] | None:
    for message in await _messages(world, conversation_id):
        if message["id"] == message_id and message["status"] == status:
            return message
    return None
