"""A chat's backlog is applied in runs of several events per write transaction."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from nexus.channels.events import InboundMessage, Party
from nexus.connections.adapters import adapter_of
from nexus.inbound import inbox
from nexus.inbound import tasks as inbound_tasks
from nexus.inbound.processor import inbound_processor
from nexus.kit.db import Database
from nexus.kit.models import utc_now
from nexus.models import (
    Connection,
    Contact,
    Conversation,
    ConversationStatus,
    IdentityKind,
    Message,
    MessageDirection,
    MessageType,
)
from tests.fixtures.sandbox import sandbox_connection
from tests.fixtures.settled import wait_until_settled
from tests.fixtures.world import make_world


async def test_a_backlog_waiting_for_its_turn_is_applied_in_one_transaction(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    database: Database = app.state.database
    if database.turns is None:
        pytest.skip("write turns are SQLite's; PostgreSQL writers do not queue in-process")
    world = await make_world(app, client)
    created = await sandbox_connection(client, world.admin)
    async with database.read() as session:
        connection = await session.get(Connection, uuid.UUID(created["id"]))
    assert connection is not None
    body = [
        {"event": "message", "id": f"b{i}", "from": "+5511900001111", "text": f"#{i}"}
        for i in range(5)
    ]
    events = adapter_of(connection).parse_webhook(json.dumps(body).encode())
    async with database.write() as session:  # stored without waking a job
        stored = await inbox.store(session, connection, events)

    runs: list[int | None] = []
    apply_batch = inbound_tasks._apply_batch

    async def counting(database: Database, kicked: uuid.UUID, limit: int) -> int | None:
        applied = await apply_batch(database, kicked, limit)
        runs.append(applied)
        return applied

    monkeypatch.setattr(inbound_tasks, "_apply_batch", counting)
    # Long enough for five events even on a busy machine (the first one opens the
    # conversation and greets the customer).
    monkeypatch.setattr(inbound_tasks, "BATCH_SECONDS", 2.0)
    async with database.turns.turn(urgent=True):
        job = asyncio.create_task(inbound_tasks.process(str(stored[0].id)))
        # Another writer keeps SQLite for longer than a run may last: the job waits.
        await asyncio.sleep(3.0)
    await job

    assert runs == [None]  # one transaction applied all five, then found the chat empty
    async with database.read() as session:
        assert not [event for event in stored if await inbox.is_pending(session, event.id)]
        received = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.direction == MessageDirection.inbound)
        )
    assert received == 5


async def test_a_kick_for_a_chat_being_worked_through_is_taken_by_the_running_job(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every webhook kicks its chat: a kick that arrives while the chat's job runs in this
    process adds no job of its own, and the running job applies its event before it ends."""
    database: Database = app.state.database
    world = await make_world(app, client)
    created = await sandbox_connection(client, world.admin)
    async with database.read() as session:
        connection = await session.get(Connection, uuid.UUID(created["id"]))
    assert connection is not None
    adapter = adapter_of(connection)

    async def store(text: str) -> inbox.Stored:
        body = [{"event": "message", "id": text, "from": "+5511900002222", "text": text}]
        async with database.write() as session:  # stored without waking a job
            (stored,) = await inbox.store(
                session, connection, adapter.parse_webhook(json.dumps(body).encode())
            )
        return stored

    first = await store("first")
    chat_empty = asyncio.Event()
    go_on = asyncio.Event()
    apply_batch = inbound_tasks._apply_batch

    async def pausing_when_empty(database: Database, kicked: uuid.UUID, limit: int) -> int | None:
        applied = await apply_batch(database, kicked, limit)
        if applied is None and not go_on.is_set():
            chat_empty.set()  # the job found nothing more and is about to end
            await go_on.wait()
        return applied

    monkeypatch.setattr(inbound_tasks, "_apply_batch", pausing_when_empty)
    running = asyncio.create_task(inbound_tasks.process(str(first.id), chat=first.chat))
    await asyncio.wait_for(chat_empty.wait(), 30)
    second = await store("second")
    assert second.chat == first.chat
    # The kick of the second event: answered at once, the running job takes its event.
    await asyncio.wait_for(inbound_tasks.process(str(second.id), chat=second.chat), 1)
    go_on.set()
    await asyncio.wait_for(running, 30)

    async with database.read() as session:
        assert not await inbox.is_pending(session, first.id)
        assert not await inbox.is_pending(session, second.id)
        texts = (
            await session.scalars(
                select(Message.content)
                .where(Message.direction == MessageDirection.inbound)
                .order_by(Message.created_at)
            )
        ).all()
    assert texts == ["first", "second"]
    assert inbound_tasks.chat_runs.claim(first.chat)  # the chat's run has ended
    inbound_tasks.chat_runs.end(first.chat)
    await wait_until_settled(app)


def _text(n: int, party: Party) -> InboundMessage:
    return InboundMessage(
        event_id=f"memo-{n}",
        ordering_key="memo-chat",
        timestamp=utc_now(),
        provider_message_id=f"memo-{n}",
        chat_id="memo-chat",
        sender=party,
        type=MessageType.text,
        text=f"#{n}",
    )


async def test_a_run_follows_its_conversation_and_contact_when_they_change_within_it(
    app: FastAPI, client: AsyncClient
) -> None:
    """Within one transaction a run remembers the chat's contact and open conversation
    (kit/db.transaction_memo), but never past a change: a conversation resolved meanwhile
    gets no more messages, a contact merged into another is not written to again."""
    database: Database = app.state.database
    world = await make_world(app, client)
    created = await sandbox_connection(client, world.admin)
    phone = Party(kind=IdentityKind.whatsapp_phone, external_id="5511900004444")
    lid = Party(kind=IdentityKind.whatsapp_lid, external_id="77001")
    both = Party(kind=IdentityKind.whatsapp_lid, external_id="77001", phone="+5511900004444")
    async with database.write() as session:
        connection = await session.get(Connection, uuid.UUID(created["id"]))
        assert connection is not None
        await inbound_processor.apply(session, connection, _text(1, phone))
        await inbound_processor.apply(session, connection, _text(11, phone))  # remembered
        first = (await session.scalars(select(Conversation))).one()
        first.status = ConversationStatus.resolved  # as an agent's resolve would
        first.resolved_at = utc_now()
        await inbound_processor.apply(session, connection, _text(2, phone))
        await inbound_processor.apply(session, connection, _text(3, lid))  # a new contact…
        await inbound_processor.apply(session, connection, _text(4, both))  # …merged here
        await inbound_processor.apply(session, connection, _text(5, lid))

    async with database.read() as session:
        rows = (
            await session.execute(
                select(Message.content, Message.conversation_id, Message.contact_id)
                .where(Message.direction == MessageDirection.inbound)
                .order_by(Message.provider_message_id)
            )
        ).all()
        survivors = (
            await session.scalars(select(Contact.id).where(Contact.merged_into_id.is_(None)))
        ).all()
    by_text = {content: (conversation, contact) for content, conversation, contact in rows}
    assert by_text["#1"][0] == by_text["#11"][0] == first.id
    assert by_text["#2"][0] != first.id  # a new conversation, not the resolved one
    assert len(survivors) == 1
    assert by_text["#5"][1] == survivors[0]  # the survivor of the merge, not the LID's contact
    await wait_until_settled(app)
