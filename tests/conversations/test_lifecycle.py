"""The ticket lifecycle through the API: actions, permissions, visibility per role and the
event history that tells the whole story."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from httpx import AsyncClient

from tests.fixtures.world import World, make_world


async def _world(app: FastAPI, client: AsyncClient) -> World:
    world = await make_world(app, client)
    await world.department("suporte")
    await world.department("financeiro")
    return world


async def test_transfer_resolve_and_history(app: FastAPI, client: AsyncClient) -> None:
    world = await _world(app, client)
    support = await world.agent("suporte")
    finance = await world.agent("financeiro")
    conversation_id = await world.customer_arrives("suporte")
    url = f"/api/conversations/{conversation_id}"

    detail = await client.get(url, headers=support.headers)
    assert detail.json()["assignee_id"] == support.user_id

    transfer = await client.post(
        f"{url}/transfer",
        headers=support.headers,
        json={"department_id": str(world.departments["financeiro"]), "reason": "boleto"},
    )
    assert transfer.status_code == 200, transfer.text
    assert transfer.json()["assignee_id"] == finance.user_id
    assert transfer.json()["department_id"] == str(world.departments["financeiro"])
    # The previous agent no longer sees it; the new one does.
    assert (await client.get(url, headers=support.headers)).status_code == 404

    missing_reason = await client.post(f"{url}/resolve", headers=finance.headers, json={})
    assert missing_reason.status_code == 422
    assert missing_reason.json()["error"]["details"][0]["field"] == "closing_reason_id"

    reason = await world.closing_reason("Boleto enviado")
    resolved = await client.post(
        f"{url}/resolve",
        headers=finance.headers,
        json={"closing_reason_id": reason, "note": "segunda via"},
    )
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["closing_reason_id"] == reason

    history = (await client.get(f"{url}/events", headers=world.admin.headers)).json()
    assert [e["kind"] for e in history] == [
        "created",
        "department_selected",
        "assigned",
        "transferred",
        "assigned",
        "resolved",
    ]
    transferred = history[3]
    assert transferred["actor_id"] == support.user_id
    assert transferred["from_department_id"] == str(world.departments["suporte"])
    assert transferred["to_department_id"] == str(world.departments["financeiro"])
    assert transferred["reason"] == "boleto"
    notes = (await client.get(f"{url}/notes", headers=world.admin.headers)).json()
    assert [n["body"] for n in notes] == ["segunda via"]


async def test_visibility_per_role(app: FastAPI, client: AsyncClient) -> None:
    world = await _world(app, client)
    support = await world.agent("suporte", capacity=1)
    finance_agent = await world.agent("financeiro")
    supervisor = await world.agent("financeiro", role="supervisor")
    mine = await world.customer_arrives("suporte")
    queued = await world.customer_arrives("suporte")  # support agent is full
    finance = await world.customer_arrives("financeiro")

    async def visible(account_headers: dict[str, str]) -> set[str]:
        response = await client.get("/api/conversations", headers=account_headers)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert await visible(support.headers) == {str(mine), str(queued)}
    assert await visible(finance_agent.headers) == {str(finance)}
    assert await visible(supervisor.headers) == {str(finance)}
    assert await visible(world.admin.headers) == {str(mine), str(queued), str(finance)}
    for hidden in (mine, queued):
        response = await client.get(f"/api/conversations/{hidden}", headers=supervisor.headers)
        assert response.status_code == 404


async def test_agents_cannot_act_on_others_conversations(app: FastAPI, client: AsyncClient) -> None:
    world = await _world(app, client)
    first = await world.agent("suporte", capacity=1)
    second = await world.agent("suporte", capacity=1, online=False)
    conversation_id = await world.customer_arrives("suporte")
    url = f"/api/conversations/{conversation_id}"
    await world.set_presence(second, "online")

    # The second agent cannot see another agent's conversation at all.
    take = await client.post(f"{url}/assign", headers=second.headers, json={})
    assert take.status_code == 404
    # And an agent cannot assign to someone else.
    push = await client.post(
        f"{url}/assign", headers=first.headers, json={"user_id": second.user_id}
    )
    assert push.status_code == 403
    # A supervisor or admin can.
    moved = await client.post(
        f"{url}/assign", headers=world.admin.headers, json={"user_id": second.user_id}
    )
    assert moved.status_code == 200
    assert moved.json()["assignee_id"] == second.user_id


async def test_taking_from_the_queue_and_giving_back(app: FastAPI, client: AsyncClient) -> None:
    world = await _world(app, client)
    agent = await world.agent("suporte", online=False)
    conversation_id = await world.customer_arrives("suporte")
    url = f"/api/conversations/{conversation_id}"
    counts = await client.get("/api/conversations/counts", headers=agent.headers)
    assert counts.json() == {"mine": 0, "queue": 1, "unread": 0}

    taken = await client.post(f"{url}/assign", headers=agent.headers, json={})
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "assigned"
    again = await client.post(f"{url}/assign", headers=agent.headers, json={})
    assert again.status_code == 200  # idempotent for the same agent

    back = await client.post(f"{url}/unassign", headers=agent.headers)
    assert back.json()["status"] == "waiting"
    assert back.json()["assignee_id"] is None


async def test_invalid_transitions_change_nothing(app: FastAPI, client: AsyncClient) -> None:
    world = await _world(app, client)
    agent = await world.agent("suporte")
    conversation_id = await world.customer_arrives("suporte")
    url = f"/api/conversations/{conversation_id}"
    assert (await client.post(f"{url}/archive", headers=agent.headers)).status_code == 409
    assert (await client.post(f"{url}/reopen", headers=agent.headers)).status_code == 409
    bad_dept = await client.post(
        f"{url}/transfer", headers=agent.headers, json={"department_id": str(uuid.uuid4())}
    )
    assert bad_dept.status_code == 422
    neither = await client.post(f"{url}/transfer", headers=agent.headers, json={})
    assert neither.status_code == 422
    history = (await client.get(f"{url}/events", headers=agent.headers)).json()
    assert [e["kind"] for e in history] == ["created", "department_selected", "assigned"]


async def test_priority_tags_name_and_archive(app: FastAPI, client: AsyncClient) -> None:
    world = await _world(app, client)
    agent = await world.agent("suporte")
    conversation_id = await world.customer_arrives("suporte")
    url = f"/api/conversations/{conversation_id}"

    priority = await client.patch(
        f"{url}/priority", headers=agent.headers, json={"priority": "urgent"}
    )
    assert priority.json()["priority"] == "urgent"
    unknown_tag = await client.put(
        f"{url}/tags", headers=agent.headers, json={"tag_ids": [str(uuid.uuid4())]}
    )
    assert unknown_tag.status_code == 422
    renamed = await client.patch(
        f"{url}/customer-name", headers=agent.headers, json={"name": "Maria Souza"}
    )
    assert renamed.json()["contact"]["name"] == "Maria Souza"
    found = await client.get(
        "/api/conversations", headers=agent.headers, params={"search": "maria"}
    )
    assert [c["id"] for c in found.json()["items"]] == [str(conversation_id)]

    reason = await world.closing_reason()
    await client.post(f"{url}/resolve", headers=agent.headers, json={"closing_reason_id": reason})
    archived = await client.post(f"{url}/archive", headers=agent.headers)
    assert archived.json()["status"] == "archived"
    kinds = [e["kind"] for e in (await client.get(f"{url}/events", headers=agent.headers)).json()]
    assert kinds[-4:] == ["priority_changed", "customer_renamed", "resolved", "archived"]


async def test_cursor_pagination_walks_every_conversation_once(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await _world(app, client)
    created = {str(await world.customer_arrives("suporte")) for _ in range(7)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get("/api/conversations", headers=world.admin.headers, params=params)
        ).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 7 and set(seen) == created
    bad = await client.get(
        "/api/conversations", headers=world.admin.headers, params={"cursor": "not-a-cursor"}
    )
    assert bad.status_code == 422
