"""The inbox is applied in batches of several events, across chats, per write transaction."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Sequence
from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.channels.events import Event, InboundMessage, Party
from nexus.connections.adapters import adapter_of
from nexus.inbound import inbox
from nexus.inbound import tasks as inbound_tasks
from nexus.inbound.processor import inbound_processor
from nexus.kit.db import Database, transaction_memo
from nexus.kit.models import utc_now
from nexus.models import (
    Connection,
    Contact,
    Conversation,
    ConversationStatus,
    IdentityKind,
    InboundEvent,
    InboundEventStatus,
    Message,
    MessageDirection,
    MessageType,
)
from tests.fixtures.sandbox import sandbox_connection, sandbox_connection_of_a_new_company
from tests.fixtures.settled import wait_until_settled
from tests.fixtures.world import make_world


async def _store(
    database: Database, connection: Connection, *messages: tuple[str, str]
) -> list[uuid.UUID]:
    """Store (phone, text) messages without waking a job."""
    body = [
        {"event": "message", "id": text, "from": phone, "text": text} for phone, text in messages
    ]
    events = adapter_of(connection).parse_webhook(json.dumps(body).encode())
    async with database.write() as session:
        return await inbox.store(session, connection, events)


async def _pending(database: Database, stored: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    async with database.read() as session:
        return list(
            (
                await session.scalars(
                    select(InboundEvent.id).where(
                        InboundEvent.id.in_(stored),
                        InboundEvent.status == InboundEventStatus.pending,
                    )
                )
            ).all()
        )


async def _inbound_texts(database: Database) -> list[str | None]:
    async with database.read() as session:
        return list(
            (
                await session.scalars(
                    select(Message.content)
                    .where(Message.direction == MessageDirection.inbound)
                    .order_by(Message.created_at)
                )
            ).all()
        )


def _postgresql_only(database: Database, why: str) -> None:
    """Skip on SQLite, where ``why`` makes the test moot (each runs in the other pass)."""
    if database.turns is not None:
        pytest.skip(f"PostgreSQL only: {why}")


def _count_batches(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """What each batch of the inbox job returns, in order, from now on."""
    runs: list[int | None] = []
    apply_batch = inbound_tasks._apply_batch

    async def counting(database: Database, *, careful: bool) -> int | None:
        handled = await apply_batch(database, careful=careful)
        runs.append(handled)
        return handled

    monkeypatch.setattr(inbound_tasks, "_apply_batch", counting)
    return runs


async def test_a_backlog_of_several_chats_is_applied_in_one_transaction(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One batch applies the waiting events of every chat, each chat in its order. On SQLite
    the batch's time starts once the write turn is its own, however long it waited."""
    database: Database = app.state.database
    connection = await sandbox_connection_of_a_new_company(app, client)
    ana, bia, caio = "+5511900001111", "+5511900002222", "+5511900003333"
    stored = await _store(
        database,
        connection,
        *[(phone, f"{phone[-4:]}#{i}") for i in range(2) for phone in (ana, bia, caio)],
    )

    runs = _count_batches(monkeypatch)
    # Long enough for six events even on a busy machine (the first of each chat opens its
    # conversation and greets the customer), shorter than the wait below.
    monkeypatch.setattr(inbound_tasks, "BATCH_SECONDS", 2.0)
    async with database.turns.turn(urgent=True) if database.turns else contextlib.nullcontext():
        job = asyncio.create_task(inbound_tasks.process())
        # SQLite: another writer keeps the turn for longer than a batch may last, so the job
        # waits (PostgreSQL writers do not take turns: there it starts at once).
        await asyncio.sleep(3.0)
    await job

    assert runs == [6, 0]  # one transaction applied all three chats, the next found none
    assert not await _pending(database, stored)
    texts = await _inbound_texts(database)
    for phone in (ana, bia, caio):  # each chat in its order
        assert [t for t in texts if t and t.startswith(phone[-4:])] == [
            f"{phone[-4:]}#0",
            f"{phone[-4:]}#1",
        ]
    await wait_until_settled(app)


async def test_a_batch_yields_to_a_waiting_webhook_after_its_minimum_time(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A webhook waiting for the write turn ends a batch early, but only once the batch has
    run ``YIELD_AFTER_SECONDS``: under a stream of webhooks one always waits."""
    database: Database = app.state.database
    connection = await sandbox_connection_of_a_new_company(app, client)
    monkeypatch.setattr(type(database), "urgent_writer_waiting", property(lambda _: True))
    runs = _count_batches(monkeypatch)
    monkeypatch.setattr(inbound_tasks, "BATCH_SECONDS", 60.0)
    phones = ("+5511900001111", "+5511900002222", "+5511900003333")

    monkeypatch.setattr(inbound_tasks, "YIELD_AFTER_SECONDS", 60.0)
    await _store(database, connection, *[(phone, f"{phone}-a") for phone in phones])
    await inbound_tasks.process()
    assert runs == [3, 0]  # the webhook waited for the batch

    runs.clear()
    monkeypatch.setattr(inbound_tasks, "YIELD_AFTER_SECONDS", 0.0)
    await _store(database, connection, *[(phone, f"{phone}-b") for phone in phones])
    await inbound_tasks.process()
    assert runs == [1, 1, 1, 0]  # the webhook went first after each event
    await wait_until_settled(app)


async def test_a_kick_while_the_inbox_is_worked_through_is_taken_by_the_running_job(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every delivery kicks the job: a kick that arrives while the job runs in this process
    adds no job of its own, and the running job applies its event before it ends."""
    database: Database = app.state.database
    connection = await sandbox_connection_of_a_new_company(app, client)
    (first,) = await _store(database, connection, ("+5511900002222", "first"))
    inbox_empty = asyncio.Event()
    go_on = asyncio.Event()
    apply_batch = inbound_tasks._apply_batch

    async def pausing_when_empty(database: Database, *, careful: bool) -> int | None:
        handled = await apply_batch(database, careful=careful)
        if handled == 0 and not go_on.is_set():
            inbox_empty.set()  # the job found nothing more and is about to end
            await go_on.wait()
        return handled

    monkeypatch.setattr(inbound_tasks, "_apply_batch", pausing_when_empty)
    running = asyncio.create_task(inbound_tasks.process())
    await asyncio.wait_for(inbox_empty.wait(), 30)
    (second,) = await _store(database, connection, ("+5511900003333", "second"))
    # The kick of the second event: answered at once, the running job takes its event.
    await asyncio.wait_for(inbound_tasks.process(), 1)
    assert await _pending(database, [second]) == [second]  # left to the running job
    go_on.set()
    await asyncio.wait_for(running, 30)

    assert not await _pending(database, [first, second])
    assert await _inbound_texts(database) == ["first", "second"]
    assert not inbound_tasks.drain.running  # the job has ended
    await wait_until_settled(app)


async def test_an_event_that_fails_backs_off_alone(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing event is rolled back and retried later; the events around it, of its chat
    and of others, are applied (the batch, applied without savepoints, is rolled back and
    applied again with one per event)."""
    database: Database = app.state.database
    connection = await sandbox_connection_of_a_new_company(app, client)
    stored = await _store(
        database,
        connection,
        ("+5511900001111", "ana-1"),
        ("+5511900002222", "bia-1"),
        ("+5511900001111", "ana-2"),
    )
    apply = inbound_processor.apply
    failures: list[str | None] = []

    async def failing_while_down(
        session: AsyncSession, connection: Connection, event: Event
    ) -> None:
        await apply(session, connection, event)  # its writes must be rolled back
        if isinstance(event, InboundMessage) and event.text == "ana-1" and media_server_down:
            failures.append(event.text)
            raise RuntimeError("the provider's media server is down")

    media_server_down = True
    monkeypatch.setattr(inbound_processor, "apply", failing_while_down)
    await inbound_tasks.process()

    assert failures == ["ana-1", "ana-1"]  # the batch without savepoints, then with them
    assert sorted(filter(None, await _inbound_texts(database))) == ["ana-2", "bia-1"]
    async with database.read() as session:
        event = await session.get(InboundEvent, stored[0])
        assert event is not None
        assert event.status is InboundEventStatus.pending
        assert event.attempts == 1
        assert "media server is down" in (event.last_error or "")
        assert event.next_attempt_at is not None and event.next_attempt_at > utc_now()
    # Its back-off over, the sweep wakes processing and it is applied once.
    media_server_down = False
    async with database.write() as session:
        await session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == stored[0])
            .values(next_attempt_at=utc_now() - inbox.KICK_GRACE - timedelta(seconds=1))
        )
    await inbound_tasks.sweep()
    await wait_until_settled(app)
    assert sorted(filter(None, await _inbound_texts(database))) == ["ana-1", "ana-2", "bia-1"]


async def test_two_workers_on_postgresql_take_different_chats(
    app: FastAPI, client: AsyncClient
) -> None:
    """On PostgreSQL a worker takes only chats no other transaction holds, and a chat's
    events all go to one of them."""
    database: Database = app.state.database
    _postgresql_only(
        database,
        "SQLite has one write lock, so two write transactions never run at once there "
        "(tests/kit/test_write_turns.py covers how they queue)",
    )
    connection = await sandbox_connection_of_a_new_company(app, client)
    phones = [f"+55119000{n:05d}" for n in range(6)]
    await _store(database, connection, *[(p, f"{p}-{i}") for i in range(3) for p in phones])
    async with database.write() as first, database.write() as second:
        taken_first = await inbox.take_due(first, 6)
        taken_second = await inbox.take_due(second, 6)
        again_first = await inbox.take_due(first, 6)  # its own chats stay its own
    chats_first = {event.ordering_key for event in taken_first}
    chats_second = {event.ordering_key for event in taken_second}
    assert len(chats_first) == 2 and len(taken_first) == 6  # the two oldest chats, whole
    assert len(chats_second) == 2 and not chats_first & chats_second
    assert [e.id for e in again_first] == [e.id for e in taken_first]
    for taken in (taken_first, taken_second):
        for chat in {event.ordering_key for event in taken}:
            texts = [event.payload["text"] for event in taken if event.ordering_key == chat]
            assert texts == sorted(texts)  # oldest first
    await inbound_tasks.process()
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


def _says(n: int, party: Party, message_id: str | None = None) -> InboundMessage:
    """Message ``n`` of ``party``'s own chat (provider id ``m<n>`` unless given)."""
    return _text(n, party).model_copy(
        update={"ordering_key": party.external_id, "provider_message_id": message_id or f"m{n}"}
    )


def _phone(digits: str, name: str | None = None) -> Party:
    return Party(
        kind=IdentityKind.whatsapp_phone, external_id=digits, phone=f"+{digits}", name=name
    )


async def test_a_batch_resolves_its_senders_together_as_it_would_one_by_one(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch reads its senders' contacts and conversations together; what needs
    a change — a merge, a name to fill, a new contact, a message stored already — still
    gets it."""
    database: Database = app.state.database
    connection = await sandbox_connection_of_a_new_company(app, client)

    ana, caio, nameless = (
        _phone("5511900005555", "Ana"),
        _phone("5511900006666", "Caio"),
        _phone("5511900007777"),
    )
    lid_only = Party(kind=IdentityKind.whatsapp_lid, external_id="88001")
    zeca = _phone("5511900009999", "Zeca")
    async with database.write() as session:
        for n, party in enumerate((ana, lid_only, caio, nameless, zeca)):
            await inbound_processor.apply(session, connection, _says(n, party))
    async with database.write() as session:
        lid_contact = await session.scalar(select(Contact.id).where(Contact.phone.is_(None)))
        zeca_contact = await session.scalar(select(Contact).where(Contact.phone == zeca.phone))
        assert zeca_contact is not None
        zeca_contact.phone = "+5511900001234"  # an agent corrected it…
        agenda = Contact(company_id=connection.company_id, name="Zeca", phone=zeca.phone)
        session.add(agenda)  # …and another contact has the number the customer writes from
    lid_and_caio = lid_only.model_copy(update={"phone": caio.phone})
    async with database.write() as session:
        await inbox.store(
            session,
            connection,
            [
                _says(10, ana),
                _says(11, lid_and_caio),  # links two contacts: merged
                _says(12, _phone("5511900008888", "Duda")),  # new
                _says(13, nameless.model_copy(update={"name": "Eva"})),  # gives a name
                _says(14, ana, "m10"),  # the same message again
                _says(15, ana),
                _says(16, zeca),  # its contact and the one with its phone: merged
            ],
        )
    monkeypatch.setattr(inbound_tasks, "BATCH_SECONDS", 5.0)  # one batch
    await inbound_tasks.process()

    async with database.read() as session:
        survivors = await session.scalars(select(Contact).where(Contact.merged_into_id.is_(None)))
        by_phone = {contact.phone: contact for contact in survivors}
        messages = await session.execute(
            select(Message.provider_message_id, Message.contact_id).where(
                Message.direction == MessageDirection.inbound
            )
        )
        sender_of = dict(messages.all())
    assert set(by_phone) == {f"+55119000{n}" for n in ("05555", "06666", "07777", "08888", "01234")}
    assert agenda.id not in {contact.id for contact in by_phone.values()}
    # The LID's contact (the older) survived the merge and took Caio's phone.
    assert by_phone["+5511900006666"].id == lid_contact
    assert by_phone["+5511900007777"].name == "Eva"
    assert by_phone["+5511900008888"].name == "Duda"
    assert len(sender_of) == 5 + 6  # m10 once
    assert sender_of["m16"] == zeca_contact.id
    assert sender_of["m10"] == sender_of["m15"] == by_phone["+5511900005555"].id
    assert sender_of["m1"] == sender_of["m2"] == sender_of["m11"] == lid_contact
    await wait_until_settled(app)


async def test_on_postgresql_a_batch_locks_the_rows_it_remembers(
    app: FastAPI, client: AsyncClient
) -> None:
    """The contacts and open conversations a batch reads together stay as read until it
    commits: an agent's resolve or a merge waits for it."""
    database: Database = app.state.database
    _postgresql_only(
        database,
        "on SQLite the batch's write transaction holds the database's one write lock, so "
        "nothing can change under it",
    )
    connection = await sandbox_connection_of_a_new_company(app, client)
    phone = "+5511900004444"
    await _store(database, connection, (phone, "first"))
    await inbound_tasks.process()
    async with database.read() as session:
        conversation_id, contact_id = (
            await session.execute(select(Conversation.id, Conversation.contact_id))
        ).one()
    body = [{"event": "message", "id": "second", "from": phone, "text": "second"}]
    events = adapter_of(connection).parse_webhook(json.dumps(body).encode())

    async def lock(model: type[Conversation] | type[Contact], id: uuid.UUID) -> None:
        async with database.write() as agent:
            await agent.execute(select(model.id).where(model.id == id).with_for_update(nowait=True))

    async with database.write() as batch:
        await inbound_processor.prefetch(batch, [(connection, event) for event in events])
        for model, id in ((Conversation, conversation_id), (Contact, contact_id)):
            with pytest.raises(DBAPIError, match="lock"):
                await lock(model, id)
    await lock(Conversation, conversation_id)  # free once the batch has ended
    await wait_until_settled(app)


async def test_a_batch_inserts_its_new_messages_together(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The messages a batch found not stored go in together, not one statement each."""
    database: Database = app.state.database
    connection = await sandbox_connection_of_a_new_company(app, client)
    parties = [_phone(f"55119000031{n:02d}", f"Cliente {n}") for n in range(3)]
    async with database.write() as session:
        await inbox.store(
            session, connection, [_says(n, party, f"first-{n}") for n, party in enumerate(parties)]
        )
    await inbound_tasks.process()  # the chats' contacts and conversations exist now
    async with database.write() as session:
        # Waiting for an agent: the bot answers nothing, only the customers' messages go in.
        await session.execute(update(Conversation).values(status=ConversationStatus.waiting))
        await inbox.store(
            session,
            connection,
            [_says(10 + n, parties[n % 3], f"later-{n}") for n in range(6)],
        )
    inserts: list[int] = []

    def count(_c: object, _cur: object, statement: str, *_args: object) -> None:
        if statement.startswith("INSERT INTO messages"):
            inserts.append(1)

    engine = database.write_engine.sync_engine
    sqlalchemy_event.listen(engine, "before_cursor_execute", count)
    monkeypatch.setattr(inbound_tasks, "BATCH_SECONDS", 5.0)  # one batch
    try:
        await inbound_tasks.process()
    finally:
        sqlalchemy_event.remove(engine, "before_cursor_execute", count)

    # Six messages, two statements: the batch's first read of the department's supervisors
    # (after its first message) flushes what came before it, then the rest go in together.
    assert len(inserts) == 2
    async with database.read() as session:
        stored = await session.scalars(
            select(Message.provider_message_id).where(Message.provider_message_id.like("later-%"))
        )
        assert sorted(stored) == [f"later-{n}" for n in range(6)]
    await wait_until_settled(app)


async def test_a_message_inserted_meanwhile_costs_its_batch_a_second_pass_only(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a message the batch found not stored is stored by the time the batch inserts it
    (another copy of it, under another chat id, applied by another worker), the insert fails,
    the batch is applied again event by event, and the message is stored once."""
    database: Database = app.state.database
    connection = await sandbox_connection_of_a_new_company(app, client)
    ana, bia = _phone("5511900003201", "Ana"), _phone("5511900003202", "Bia")
    async with database.write() as session:
        await inbox.store(session, connection, [_says(1, ana, "twice")])
    await inbound_tasks.process()
    other = _says(2, bia, "other")
    copy = _says(3, ana, "twice")  # the same message, a new delivery
    async with database.write() as session:
        # The copy last: nothing after it in the batch reads (and flushes) before the end.
        await inbox.store(session, connection, [other, copy])
    prefetch = inbound_processor.prefetch
    looked: list[bool] = []

    async def stale_prefetch(
        session: AsyncSession, batch: Sequence[tuple[Connection, Event]]
    ) -> None:
        await prefetch(session, batch)
        if not looked:  # as if the other copy had committed after this batch looked
            transaction_memo(session, "absent_messages")[(connection.id, "twice")] = True
        looked.append(True)

    monkeypatch.setattr(inbound_processor, "prefetch", stale_prefetch)
    runs = _count_batches(monkeypatch)
    monkeypatch.setattr(inbound_tasks, "BATCH_SECONDS", 5.0)
    await inbound_tasks.process()

    assert runs[:2] == [2, 0]  # the failed batch raised; the careful pass applied both
    async with database.read() as session:
        copies = await session.scalar(
            select(func.count()).where(Message.provider_message_id == "twice")
        )
        others = await session.scalar(
            select(func.count()).where(Message.provider_message_id == "other")
        )
        waiting = await session.scalar(
            select(func.count()).where(InboundEvent.status != InboundEventStatus.processed)
        )
    assert (copies, others, waiting) == (1, 1, 0)
    await wait_until_settled(app)
