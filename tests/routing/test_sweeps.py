"""Timers served by the periodic sweeps: response timeout, heartbeat, idle expiry."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update

from nexus.kit.models import utc_now
from nexus.models import Conversation, ConversationStatus, User
from nexus.routing import sweeps
from tests.fixtures.world import make_world


async def _age_conversation(app: FastAPI, conversation_id: uuid.UUID, **values: object) -> None:
    async with app.state.database.write() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(**values)
        )


async def test_unanswered_assignment_moves_to_another_agent(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    await world.department("suporte")
    silent = await world.agent("suporte")
    conversation_id = await world.customer_arrives("suporte")
    assert (await world.conversation(conversation_id)).assignee_id == uuid.UUID(silent.user_id)
    other = await world.agent("suporte")

    async with app.state.database.write() as session:
        assert await sweeps.expire_response_timers(session) == []  # not due yet
    await _age_conversation(app, conversation_id, timer_due_at=utc_now() - timedelta(seconds=1))
    async with app.state.database.write() as session:
        assert await sweeps.expire_response_timers(session) == [conversation_id]
    conversation = await world.conversation(conversation_id)
    assert conversation.assignee_id == uuid.UUID(other.user_id)
    history = (
        await client.get(
            f"/api/conversations/{conversation_id}/events", headers=world.admin.headers
        )
    ).json()
    assert [e["kind"] for e in history][-2:] == ["timeout_redirected", "assigned"]


async def test_waiting_past_timeout_goes_to_the_root_department(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    await world.department("vendas")
    conversation_id = await world.customer_arrives("vendas")  # nobody online
    await _age_conversation(app, conversation_id, timer_due_at=utc_now() - timedelta(seconds=1))
    async with app.state.database.write() as session:
        await sweeps.expire_response_timers(session)
        # A second run (another scheduler, a retry) changes nothing more.
        await sweeps.expire_response_timers(session)
    conversation = await world.conversation(conversation_id)
    assert conversation.status is ConversationStatus.waiting
    assert conversation.department_id not in (None, world.departments["vendas"])
    history = (
        await client.get(
            f"/api/conversations/{conversation_id}/events", headers=world.admin.headers
        )
    ).json()
    assert [e["kind"] for e in history].count("timeout_redirected") == 1


async def test_silent_agent_goes_offline_and_conversations_are_redistributed(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    await world.department("suporte")
    silent = await world.agent("suporte")
    conversation_id = await world.customer_arrives("suporte")
    alive = await world.agent("suporte")
    async with app.state.database.write() as session:
        await session.execute(
            update(User)
            .where(User.id == uuid.UUID(silent.user_id))
            .values(last_heartbeat_at=utc_now() - timedelta(minutes=5))
        )
    async with app.state.database.write() as session:
        assert await sweeps.expire_heartbeats(session) == [uuid.UUID(silent.user_id)]
    me = (await client.get("/api/auth/me", headers=silent.headers)).json()
    assert me["presence"] == "offline"
    assert (await world.conversation(conversation_id)).assignee_id == uuid.UUID(alive.user_id)


async def test_idle_conversations_expire_with_the_system_reason(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    await world.department("suporte")
    await world.agent("suporte")
    idle = await world.customer_arrives("suporte")
    fresh = await world.customer_arrives("suporte")
    await _age_conversation(app, idle, last_message_at=utc_now() - timedelta(hours=25))
    async with app.state.database.write() as session:
        assert await sweeps.expire_idle_conversations(session) == [idle]
    expired = await world.conversation(idle)
    assert expired.status is ConversationStatus.resolved
    assert expired.closing_reason_id is not None
    assert (await world.conversation(fresh)).status is ConversationStatus.assigned
