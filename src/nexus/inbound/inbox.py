"""The inbox (M4): a webhook's events are stored before the provider gets its 200, and
processed later, in order per customer chat, exactly once.

Storing is an insert that ignores duplicates (unique on connection + provider event id), so
a provider's redelivery is absorbed here. Processing takes the oldest due events across
chats in one write transaction (``take_due``: on PostgreSQL only chats it holds the lock of;
SQLite write transactions are serial anyway), applies them and marks them processed in the
same commit (``inbound/tasks.py``). A crash rolls both back; the sweep wakes processing
again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Table, and_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.channels.events import Event, event_payload
from nexus.kit.db import insert_new_rows
from nexus.kit.models import table_of, utc_now
from nexus.models import Connection, InboundEvent, InboundEventStatus

# The statements a batch runs every time go to the table, not the entity.
_INBOX = table_of(InboundEvent)
_EVENTS = _INBOX.c

MAX_ATTEMPTS = 10
# A kicked event is left alone this long before the sweep kicks it again.
KICK_GRACE = timedelta(seconds=5)
# PostgreSQL: candidates read per event taken, so that a worker finds chats that another
# worker is not applying.
CANDIDATES_PER_EVENT = 4


async def store(
    session: AsyncSession, connection: Connection, events: Sequence[Event]
) -> list[uuid.UUID]:
    """Insert the events that are new (duplicates are skipped); their ids."""
    return (await store_deliveries(session, [(connection, events)]))[0]


# What storing an event sets: the inbox spool keeps these (``inbound/spool.py``).
STORED_COLUMNS = (
    "id",
    "company_id",
    "connection_id",
    "provider_event_id",
    "kind",
    "ordering_key",
    "payload",
    "status",
    "attempts",
    "received_at",
    "next_attempt_at",
)


async def store_deliveries(
    session: AsyncSession,
    deliveries: Sequence[tuple[Connection, Sequence[Event]]],
    *,
    into: Table | None = None,
) -> list[list[uuid.UUID]]:
    """Insert the new events of several deliveries in one statement; for each delivery, the
    events it added (duplicates, of an earlier delivery or of this batch, are skipped).
    ``into``: a table of the inbox's ``STORED_COLUMNS`` instead of the inbox (the spool)."""
    target = _INBOX if into is None else into
    now = utc_now()
    rows: list[dict[str, Any]] = []
    owners: dict[tuple[uuid.UUID, str], int] = {}
    for index, (connection, events) in enumerate(deliveries):
        # A delivery may carry several events of one chat in no promised order (Cloud API
        # batches), and a chat's queue follows received_at (ids are random): store them in
        # the provider's order, a microsecond apart — and the deliveries in their order of
        # arrival. The sort is stable for equal timestamps.
        for event in sorted(events, key=lambda event: event.timestamp):
            owners.setdefault((connection.id, event.event_id), index)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "company_id": connection.company_id,
                    "connection_id": connection.id,
                    "provider_event_id": event.event_id,
                    "kind": event.kind,
                    "ordering_key": event.ordering_key,
                    "payload": event_payload(event),
                    "status": InboundEventStatus.pending,
                    "attempts": 0,
                    "received_at": now + timedelta(microseconds=len(rows)),
                    "next_attempt_at": now,
                }
            )
    columns = target.c
    inserted = await insert_new_rows(
        session,
        target,
        rows,
        ["connection_id", "provider_event_id"],
        returning=[
            columns.id,
            columns.connection_id,
            columns.provider_event_id,
            columns.received_at,
        ],
    )
    # RETURNING promises no order: put the new rows back in the order they were offered.
    inserted = sorted(inserted, key=lambda row: row.received_at)
    stored: list[list[uuid.UUID]] = [[] for _ in deliveries]
    for row in inserted:
        owner = owners[(row.connection_id, row.provider_event_id)]
        stored[owner].append(row.id)
    return stored


async def stored_event_keys(
    session: AsyncSession, deliveries: Sequence[tuple[Connection, Sequence[Event]]]
) -> set[tuple[uuid.UUID, str]]:
    """Which of the deliveries' events the inbox has already: (connection id, event id)."""
    keys = {
        (connection.id, event.event_id) for connection, events in deliveries for event in events
    }
    if not keys:
        return set()
    # Two lists rather than pairs: SQLite walks the unique index for these, not for a list
    # of row values. A pair made of two keys' halves is left out below.
    found = await session.execute(
        select(_EVENTS.connection_id, _EVENTS.provider_event_id).where(
            _EVENTS.connection_id.in_({connection_id for connection_id, _ in keys}),
            _EVENTS.provider_event_id.in_({event_id for _, event_id in keys}),
        )
    )
    return keys & {(connection_id, event_id) for connection_id, event_id in found}


class DueEvent(NamedTuple):
    """What applying an event needs of its inbox row."""

    id: uuid.UUID
    connection_id: uuid.UUID
    ordering_key: str | None
    payload: dict[str, Any]


_DUE_COLUMNS = (_EVENTS.id, _EVENTS.connection_id, _EVENTS.ordering_key, _EVENTS.payload)


def _due() -> ColumnElement[bool]:
    return and_(
        _EVENTS.status == InboundEventStatus.pending,
        _EVENTS.next_attempt_at <= utc_now(),
    )


async def _read_due(session: AsyncSession, statement: Any) -> list[DueEvent]:
    return [DueEvent(*row) for row in await session.execute(statement)]


async def take_due(session: AsyncSession, limit: int) -> list[DueEvent]:
    """The oldest due pending events, across chats, oldest first (at most ``limit``), each
    chat's events in its order; in the caller's write transaction, which has the chats to
    itself until it ends.

    SQLite: the write transaction holds the database's only write lock, so nobody else can
    be applying them. PostgreSQL: the events of the oldest chats that no other transaction
    holds; each chat is taken with a transaction-scoped advisory lock, and the events are
    read again once the chats are held (another worker may have applied them since)."""
    oldest = select(*_DUE_COLUMNS).where(_due()).order_by(_EVENTS.received_at, _EVENTS.id)
    if session.get_bind().dialect.name != "postgresql":
        return await _read_due(session, oldest.limit(limit))
    # Look further than ``limit``: the oldest chats may be another worker's right now.
    candidates = await session.execute(
        select(_EVENTS.id, _EVENTS.connection_id, _EVENTS.ordering_key)
        .where(_due())
        .order_by(_EVENTS.received_at, _EVENTS.id)
        .limit(limit * CANDIDATES_PER_EVENT)
    )
    chats: dict[str, list[uuid.UUID]] = {}  # lock key -> its events, oldest chats first
    for id, connection_id, ordering_key in candidates:
        chats.setdefault(f"inbox:{connection_id}:{ordering_key or ''}", []).append(id)
    # As many chats as would fill ``limit`` if none were held elsewhere, tried oldest first
    # in one statement: LIMIT stops the scan, so no chat past the last one taken is locked.
    wanted = 0
    counted = 0
    for ids in chats.values():
        if counted >= limit:
            break
        wanted += 1
        counted += len(ids)
    held = await session.scalars(
        text(
            "SELECT chat.key FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY AS chat(key, n) "
            "WHERE pg_try_advisory_xact_lock(hashtextextended(chat.key, 0)) LIMIT :wanted"
        ),
        {"keys": list(chats), "wanted": wanted},
    )
    taken = [id for key in held for id in chats[key]]
    if not taken:
        return []
    # Read again now that the chats are held: another worker may have applied them since.
    return await _read_due(session, oldest.where(_EVENTS.id.in_(taken)))


async def mark_processed(session: AsyncSession, event_ids: Sequence[uuid.UUID]) -> None:
    """Mark applied events processed, in the transaction that applied them."""
    if event_ids:
        await session.execute(
            update(_INBOX)
            .where(_EVENTS.id.in_(event_ids))
            .values(status=InboundEventStatus.processed, processed_at=utc_now(), last_error=None)
        )


async def record_failure(session: AsyncSession, event_id: uuid.UUID, error: str) -> None:
    """Outside the failed transaction: count the attempt and back off, or give up (the row
    stays, as ``failed``, for an operator to inspect and replay)."""
    event = await session.get(InboundEvent, event_id)
    if event is None:
        return
    event.attempts += 1
    event.last_error = error[:2000]
    if event.attempts >= MAX_ATTEMPTS:
        event.status = InboundEventStatus.failed
    else:
        event.next_attempt_at = utc_now() + timedelta(seconds=min(300, 2**event.attempts))
    await session.flush()


async def overdue(session: AsyncSession) -> bool:
    """Whether an event has waited past its grace: its wake-up was lost (a crash between the
    200 and the processing) or its back-off has ended."""
    row = await session.execute(
        select(InboundEvent.id)
        .where(
            InboundEvent.status == InboundEventStatus.pending,
            InboundEvent.next_attempt_at <= utc_now() - KICK_GRACE,
        )
        .limit(1)
    )
    return row.first() is not None
