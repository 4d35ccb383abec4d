"""Publishing a real-time event: numbered and logged in the publishing transaction, emitted
to its rooms after that transaction commits.

A service calls ``publish(session, company_id, EventName.x, payload, users=…, …)`` next to
the change the event describes. Nothing is sent if the transaction rolls back, and what is
sent is already visible to a client that reacts by reading the API. Events never travel
through the job queue: the socket fan-out is immediate, and the log row (not the emit) is
the guarantee — a client that missed an emit reads ``GET /api/events?after=<seq>``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Insert, event, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from nexus.kit.db import after_commit, commit_work_key
from nexus.kit.models import table_of, utc_now
from nexus.kit.realtime import (
    company_room,
    conversation_room,
    department_room,
    realtime,
    user_room,
)
from nexus.models import RealtimeEvent, RealtimeSequence
from nexus.realtime.events import LOGGED_EVENTS, EventName, ServerEvent

log = structlog.get_logger(__name__)

_PENDING_KEY = commit_work_key("nexus_realtime_pending")
_EVENT_LOG = table_of(RealtimeEvent)


@dataclass(frozen=True)
class Audience:
    """Who receives an event, as the rooms of ``nexus.kit.realtime``."""

    company: bool = False
    departments: tuple[uuid.UUID, ...] = ()
    users: tuple[uuid.UUID, ...] = ()
    conversation: uuid.UUID | None = None

    def rooms(self, company_id: uuid.UUID) -> list[str]:
        rooms = [company_room(company_id)] if self.company else []
        rooms += [department_room(d) for d in self.departments]
        rooms += [user_room(u) for u in self.users]
        if self.conversation is not None:
            rooms.append(conversation_room(self.conversation))
        return rooms

    def union(self, other: Audience) -> Audience:
        """Both audiences: an event that changes who sees a conversation reaches those who
        saw it before as well as those who see it now."""
        if other.conversation not in (None, self.conversation) and self.conversation is not None:
            raise ValueError("an audience names at most one conversation")
        return Audience(
            company=self.company or other.company,
            departments=_ids((*self.departments, *other.departments)),
            users=_ids((*self.users, *other.users)),
            conversation=self.conversation or other.conversation,
        )

    def loses(self, other: Audience) -> bool:
        """Whether someone in this audience is not in ``other`` (admins never leave)."""
        return bool(
            set(self.users) - set(other.users) or set(self.departments) - set(other.departments)
        )

    @classmethod
    def of(cls, row: RealtimeEvent) -> Audience:
        return cls(
            company=row.to_company,
            departments=tuple(uuid.UUID(d) for d in row.department_ids),
            users=tuple(uuid.UUID(u) for u in row.user_ids),
            conversation=row.conversation_id,
        )


@dataclass
class _Pending:
    company_id: uuid.UUID
    name: EventName
    payload: ServerEvent
    audience: Audience
    # The payload with its seq, once the transaction has numbered it.
    data: dict[str, Any] | None = None


def publish(
    session: AsyncSession,
    company_id: uuid.UUID,
    event_name: EventName,
    payload: ServerEvent,
    *,
    company: bool = False,
    departments: Iterable[uuid.UUID | None] = (),
    users: Iterable[uuid.UUID | None] = (),
    conversation: uuid.UUID | None = None,
) -> None:
    """Log ``payload`` as ``event_name`` in ``session``'s transaction and emit it to the
    rooms named by the audience once it commits. ``None`` ids are skipped, so an optional
    assignee can be passed as it is."""
    expected = LOGGED_EVENTS.get(event_name)
    if expected is None or not isinstance(payload, expected):
        raise TypeError(f"{event_name} is published with a {expected} payload")
    audience = Audience(
        company=company,
        departments=_ids(departments),
        users=_ids(users),
        conversation=conversation,
    )
    rooms = audience.rooms(company_id)
    if not rooms:
        raise ValueError(f"{event_name} is published to nobody")
    pending = _Pending(company_id, event_name, payload, audience)
    session.info.setdefault(_PENDING_KEY, []).append(pending)

    async def emit() -> None:
        if pending.data is None:
            return  # dropped by a rollback before the session committed other work
        try:
            await realtime.emit(str(event_name), pending.data, rooms)
        except Exception:  # Redis down: the event is in the log, clients resync
            log.exception("realtime_emit_failed", event=event_name, seq=pending.data["seq"])

    after_commit(session, emit)


def _ids(values: Iterable[uuid.UUID | None]) -> tuple[uuid.UUID, ...]:
    return tuple(sorted({value for value in values if value is not None}))


def _increment(dialect: str, company_id: uuid.UUID, count: int) -> Insert:
    """``last_seq += count … RETURNING last_seq``, creating the company's row on first use."""
    table_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = table_insert(RealtimeSequence).values(company_id=company_id, last_seq=count)
    return statement.on_conflict_do_update(
        index_elements=[RealtimeSequence.company_id],
        set_={"last_seq": RealtimeSequence.last_seq + count},
    ).returning(RealtimeSequence.last_seq)


@event.listens_for(Session, "before_commit")
def _number_and_log(session: Session) -> None:
    """Number the transaction's events and insert them, as the last writes before COMMIT.

    Numbers come from the company's counter row, whose lock is held until COMMIT: a later
    transaction waits for it and gets higher numbers, so events become visible in the order
    of their numbers. Everything else is flushed first, so that once the lock is taken only
    these inserts and the COMMIT remain — the lock is held for one round trip, and its holder
    never waits for another lock (no deadlock with transactions that wait for it).

    A savepoint's release is a commit too: its events wait for the outer COMMIT, so a run of
    inbound events (one savepoint each) takes the counter's lock and logs its events once.
    """
    if session.in_nested_transaction():
        return
    pending: list[_Pending] = session.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    session.flush()
    dialect = session.get_bind().dialect.name
    now = utc_now()
    by_company: dict[uuid.UUID, list[_Pending]] = defaultdict(list)
    for item in pending:
        by_company[item.company_id].append(item)
    rows: list[dict[str, Any]] = []
    # One lock order across companies, for the rare transaction that publishes to several.
    for company_id in sorted(by_company):
        items = by_company[company_id]
        last = session.execute(_increment(dialect, company_id, len(items))).scalar_one()
        for seq, item in enumerate(items, start=last - len(items) + 1):
            item.data = item.payload.model_copy(update={"seq": seq}).model_dump(mode="json")
            rows.append(
                {
                    "company_id": company_id,
                    "seq": seq,
                    "name": str(item.name),
                    "to_company": item.audience.company,
                    "department_ids": [str(d) for d in item.audience.departments],
                    "user_ids": [str(u) for u in item.audience.users],
                    "conversation_id": item.audience.conversation,
                    "payload": item.data,
                    "created_at": now,
                }
            )
    session.execute(insert(_EVENT_LOG), rows)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.nested:
        return  # kit/db.savepoint drops only what its block published
    session.info.pop(_PENDING_KEY, None)
