"""Automatic assignment: least loaded online agent under capacity, longest idle as the
tie-break, FIFO queue drained when capacity frees, reopen only to an online agent."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from httpx import AsyncClient

from nexus.models import ConversationStatus, RoutingRule
from tests.fixtures.world import make_world


async def test_goes_to_the_least_loaded_online_agent(app: FastAPI, client: AsyncClient) -> None:
    world = await make_world(app, client)
    await world.department("suporte")
    busy = await world.agent("suporte")
    idle = await world.agent("suporte")
    offline = await world.agent("suporte", online=False)

    first = await world.conversation(await world.customer_arrives("suporte"))
    second = await world.conversation(await world.customer_arrives("suporte"))
    third = await world.conversation(await world.customer_arrives("suporte"))

    assignees = [first.assignee_id, second.assignee_id, third.assignee_id]
    assert uuid.UUID(offline.user_id) not in assignees
    # Loads alternate: 1-0 → 1-1 → the one idle the longest gets the third.
    assert {assignees[0], assignees[1]} == {uuid.UUID(busy.user_id), uuid.UUID(idle.user_id)}
    assert assignees[2] == assignees[0]
    assert all(c.status is ConversationStatus.assigned for c in (first, second, third))


async def test_full_department_queues_in_arrival_order_and_drains_fifo(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    await world.department("financeiro")
    agent = await world.agent("financeiro", capacity=1)
    served = await world.customer_arrives("financeiro")
    older = await world.customer_arrives("financeiro")
    newer = await world.customer_arrives("financeiro")
    assert (await world.conversation(older)).status is ConversationStatus.waiting
    assert (await world.conversation(newer)).status is ConversationStatus.waiting

    queue = await client.get("/api/conversations", headers=agent.headers, params={"tab": "queue"})
    assert [item["id"] for item in queue.json()["items"]] == [str(newer), str(older)]

    reason = await world.closing_reason()
    resolved = await client.post(
        f"/api/conversations/{served}/resolve",
        headers=agent.headers,
        json={"closing_reason_id": reason},
    )
    assert resolved.status_code == 200, resolved.text
    # Capacity freed: the OLDEST waiting one is assigned, not the newest.
    assert (await world.conversation(older)).assignee_id == uuid.UUID(agent.user_id)
    assert (await world.conversation(newer)).status is ConversationStatus.waiting


async def test_agent_coming_online_takes_the_waiting_queue(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    await world.department("vendas")
    agent = await world.agent("vendas", capacity=2, online=False)
    waiting = [await world.customer_arrives("vendas") for _ in range(3)]
    await world.set_presence(agent, "online")
    statuses = [(await world.conversation(c)).status for c in waiting]
    assert statuses == [
        ConversationStatus.assigned,
        ConversationStatus.assigned,
        ConversationStatus.waiting,
    ]


async def test_busy_agents_and_manual_departments_get_nothing(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    await world.department("manual", rule=RoutingRule.manual)
    await world.department("vendas")
    await world.agent("manual")
    busy = await world.agent("vendas")
    await world.set_presence(busy, "busy")
    for department in ("manual", "vendas"):
        conversation = await world.conversation(await world.customer_arrives(department))
        assert conversation.status is ConversationStatus.waiting
        assert conversation.assignee_id is None


async def test_every_decision_is_recorded_with_its_reason(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    await world.department("suporte")
    agent = await world.agent("suporte")
    conversation_id = await world.customer_arrives("suporte")
    history = await client.get(
        f"/api/conversations/{conversation_id}/events", headers=world.admin.headers
    )
    kinds = [event["kind"] for event in history.json()]
    assert kinds == ["created", "department_selected", "assigned"]
    decision = history.json()[-1]
    assert decision["to_assignee_id"] == agent.user_id
    assert decision["data"]["rule"] == "least_busy"
    assert decision["data"]["eligible"][0]["user_id"] == agent.user_id


async def test_reopened_conversation_skips_an_offline_last_agent(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    await world.department("suporte")
    first = await world.agent("suporte")
    conversation_id = await world.customer_arrives("suporte")
    reason = await world.closing_reason()
    await client.post(
        f"/api/conversations/{conversation_id}/resolve",
        headers=first.headers,
        json={"closing_reason_id": reason},
    )
    await world.set_presence(first, "offline")
    second = await world.agent("suporte")

    reopened = await client.post(
        f"/api/conversations/{conversation_id}/reopen", headers=world.admin.headers
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["assignee_id"] == second.user_id

    # Back online and with room, the last agent gets it back on the next reopen.
    await client.post(
        f"/api/conversations/{conversation_id}/resolve",
        headers=second.headers,
        json={"closing_reason_id": reason},
    )
    await world.set_presence(second, "offline")
    await world.set_presence(first, "online")
    again = await client.post(
        f"/api/conversations/{conversation_id}/reopen", headers=world.admin.headers
    )
    assert again.json()["assignee_id"] == first.user_id
