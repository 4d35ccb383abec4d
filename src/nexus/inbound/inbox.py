"""The inbox (M4): a webhook's events are stored before the provider gets its 200, and
processed later, in order per customer chat, exactly once.

Storing is an insert that ignores duplicates (unique on connection + provider event id), so
a provider's redelivery is absorbed here. Processing takes a per-chat lock in its write
transaction (PostgreSQL advisory lock; SQLite write transactions are serial anyway), picks
the OLDEST due pending event of that chat — not necessarily the one its job was kicked for —
applies it and marks it processed in the same commit (a job applies a short run of a chat's
events in one transaction, each in its own savepoint). A crash rolls both back; the sweep
kicks the chat again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.channels.events import Event, event_payload
from nexus.kit.db import insert_ignoring_duplicates
from nexus.kit.models import utc_now
from nexus.models import Connection, InboundEvent, InboundEventStatus

MAX_ATTEMPTS = 10
# A kicked event is left alone this long before the sweep kicks it again.
KICK_GRACE = timedelta(seconds=5)


@dataclass(frozen=True)
class Stored:
    """A newly stored event and the chat whose queue it joined."""

    id: uuid.UUID
    connection_id: uuid.UUID
    ordering_key: str | None

    @property
    def chat(self) -> str:
        """Names the chat's queue: the events of one connection with one ordering key."""
        return f"{self.connection_id}:{self.ordering_key or ''}"


def first_of_each_chat(stored: Sequence[Stored]) -> list[Stored]:
    """One event per chat is enough to wake its job: the job works through the whole chat."""
    firsts: dict[str, Stored] = {}
    for event in stored:
        firsts.setdefault(event.chat, event)
    return list(firsts.values())


async def store(
    session: AsyncSession, connection: Connection, events: Sequence[Event]
) -> list[Stored]:
    """Insert the events that are new (duplicates are skipped)."""
    return (await store_deliveries(session, [(connection, events)]))[0]


async def store_deliveries(
    session: AsyncSession, deliveries: Sequence[tuple[Connection, Sequence[Event]]]
) -> list[list[Stored]]:
    """Insert the new events of several deliveries in one statement; for each delivery, the
    events it added (duplicates, of an earlier delivery or of this batch, are skipped)."""
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
    inserted = await insert_ignoring_duplicates(
        session, InboundEvent, rows, ["connection_id", "provider_event_id"]
    )
    # RETURNING promises no order: put the new rows back in the order they were offered.
    inserted.sort(key=lambda row: row.received_at)
    stored: list[list[Stored]] = [[] for _ in deliveries]
    for row in inserted:
        owner = owners[(row.connection_id, row.provider_event_id)]
        stored[owner].append(Stored(row.id, row.connection_id, row.ordering_key))
    return stored


async def lock_chat(session: AsyncSession, connection_id: uuid.UUID, ordering_key: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"inbox:{connection_id}:{ordering_key}"},
        )


async def is_pending(session: AsyncSession, event_id: uuid.UUID) -> bool:
    status = await session.scalar(select(InboundEvent.status).where(InboundEvent.id == event_id))
    return status is InboundEventStatus.pending


async def due_of_chat(
    session: AsyncSession, event_id: uuid.UUID, limit: int
) -> Sequence[InboundEvent]:
    """Under the chat's lock, the oldest due pending events of the chat of ``event_id``
    (at most ``limit``), oldest first."""
    kicked = await session.get(InboundEvent, event_id)
    if kicked is None:
        return []
    await lock_chat(session, kicked.connection_id, kicked.ordering_key or "")
    statement = (
        select(InboundEvent)
        .where(
            InboundEvent.connection_id == kicked.connection_id,
            InboundEvent.ordering_key == kicked.ordering_key,
            InboundEvent.status == InboundEventStatus.pending,
            or_(InboundEvent.next_attempt_at.is_(None), InboundEvent.next_attempt_at <= utc_now()),
        )
        .order_by(InboundEvent.received_at, InboundEvent.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).all()


def mark_processed(event: InboundEvent) -> None:
    event.status = InboundEventStatus.processed
    event.processed_at = utc_now()
    event.last_error = None


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


async def due(session: AsyncSession, *, chats: int = 500) -> list[Stored]:
    """One pending event per chat whose wake-up may have been lost, oldest chats first.

    One per chat, because one job works through its chat: kicking every pending event of a
    backlog (as this once did) multiplied the jobs queueing for the write lock."""
    rows = await session.execute(
        select(InboundEvent.id, InboundEvent.connection_id, InboundEvent.ordering_key)
        .where(
            InboundEvent.status == InboundEventStatus.pending,
            InboundEvent.next_attempt_at <= utc_now() - KICK_GRACE,
        )
        .order_by(InboundEvent.received_at)
        .limit(chats * 10)
    )
    pending = [Stored(*row) for row in rows]
    return first_of_each_chat(pending)[:chats]
