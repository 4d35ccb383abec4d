"""Issue #4's story, as a customer and the team live it, on the sandbox channel: menu →
Suporte → least-loaded agent → transfer to Financeiro (the customer is told) → resolved
with a closing reason → two days later, "back to Financeiro?" → SIM."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update

from nexus.kit.models import utc_now
from nexus.models import Conversation
from tests.fixtures.eventually import eventually
from tests.fixtures.sandbox import phone_for
from tests.fixtures.world import World, make_world


async def _conversations(world: World) -> list[dict[str, Any]]:
    page = await world.client.get("/api/conversations", headers=world.admin.headers)
    return list(page.json()["items"])


async def _texts(world: World, conversation_id: str) -> list[str]:
    page = await world.client.get(
        f"/api/conversations/{conversation_id}/messages",
        headers=world.admin.headers,
        params={"limit": 100},
    )
    return [m["content"] or "" for m in reversed(page.json()["items"])]


async def _when(probe: Any, check: Any) -> Any:
    async def attempt() -> Any:
        value = await probe()
        return value if check(value) else None

    return await eventually(attempt)


async def test_the_whole_story(app: FastAPI, client: AsyncClient) -> None:
    world = await make_world(app, client)
    for slug in ("vendas", "suporte", "financeiro"):
        await world.department(slug)
    busy_support = await world.agent("suporte")
    await world.customer_arrives("suporte")  # gives the first Suporte agent some load
    free_support = await world.agent("suporte")
    finance = await world.agent("financeiro")
    reason = await world.closing_reason("Boleto reenviado")
    phone = await phone_for(client, world.admin, "+5511977776666")

    await phone.say("Bom dia")
    first = (await _when(lambda: _conversations(world), lambda items: len(items) == 2))[
        0
    ]  # newest first
    menu = await _when(lambda: _texts(world, first["id"]), lambda texts: len(texts) >= 3)
    assert "1 - Financeiro\n2 - Suporte\n3 - Vendas" in menu[2]

    await phone.say("2")  # Suporte
    detail = await _when(
        lambda: client.get(f"/api/conversations/{first['id']}", headers=world.admin.headers),
        lambda response: response.json()["status"] == "assigned",
    )
    assert detail.json()["assignee_id"] == free_support.user_id  # the least loaded
    assert detail.json()["assignee_id"] != busy_support.user_id

    transfer = await client.post(
        f"/api/conversations/{first['id']}/transfer",
        headers=free_support.headers,
        json={"department_id": str(world.departments["financeiro"]), "reason": "segunda via"},
    )
    assert transfer.json()["assignee_id"] == finance.user_id
    texts = await _when(
        lambda: _texts(world, first["id"]),
        lambda texts: any("transferida para Financeiro" in t for t in texts),
    )
    assert texts[-1].startswith("Sua conversa foi transferida para Financeiro")

    resolved = await client.post(
        f"/api/conversations/{first['id']}/resolve",
        headers=finance.headers,
        json={"closing_reason_id": reason},
    )
    assert resolved.json()["status"] == "resolved"

    # Two days later …
    async with app.state.database.write() as session:
        two_days_ago = utc_now() - timedelta(days=2)
        await session.execute(
            update(Conversation)
            .where(Conversation.id == uuid.UUID(first["id"]))
            .values(resolved_at=two_days_ago, last_message_at=two_days_ago)
        )
    await phone.say("Oi, de novo eu")
    second = (await _when(lambda: _conversations(world), lambda items: len(items) == 3))[0]
    assert second["id"] != first["id"]  # a new ticket, the old one stays resolved
    question = await _when(lambda: _texts(world, second["id"]), lambda texts: len(texts) >= 2)
    assert question[1] == "Olá de novo! Deseja falar com Financeiro novamente? (SIM/NÃO)"

    await phone.say("sim")
    back = await _when(
        lambda: client.get(f"/api/conversations/{second['id']}", headers=world.admin.headers),
        lambda response: response.json()["status"] == "assigned",
    )
    assert back.json()["department_id"] == str(world.departments["financeiro"])
    assert back.json()["assignee_id"] == finance.user_id

    story = await client.get(
        f"/api/conversations/{first['id']}/events", headers=world.admin.headers
    )
    kinds = [e["kind"] for e in story.json()]
    assert kinds == [
        "created",
        "department_selected",
        "assigned",
        "transferred",
        "assigned",
        "resolved",
    ]
    transferred, reassigned = story.json()[3], story.json()[4]
    assert transferred["actor_id"] == free_support.user_id
    assert transferred["from_department_id"] == str(world.departments["suporte"])
    assert transferred["to_department_id"] == str(world.departments["financeiro"])
    assert reassigned["to_assignee_id"] == finance.user_id
    assert story.json()[-1]["data"]["closing_reason_id"] == reason
