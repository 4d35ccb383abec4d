"""The outbound state machine (M4), independent of any provider.

A send is claimed with one conditional UPDATE (``pending`` → ``sending``), the provider is
called outside any database transaction, and the outcome is written with another
conditional UPDATE. A worker that dies mid-call leaves ``sending`` behind; the sweep turns
it into ``unknown`` — never a silent second send — and the agent decides to resend.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from nexus.kit.models import utc_now
from nexus.models import Message, MessageDirection, MessageStatus
from nexus.realtime.conversation_events import publish_message_status

LOCK = timedelta(seconds=90)
MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 600


def backoff(attempt: int, retry_after: float | None = None) -> timedelta:
    """Exponential with jitter; a provider's Retry-After wins when it asks for longer."""
    base = min(MAX_BACKOFF_SECONDS, 2 ** max(0, attempt - 1) * 2)
    delay = base * (0.75 + random.random() / 2)  # noqa: S311  (jitter, not security)
    return timedelta(seconds=max(delay, retry_after or 0))


# A conversation's sends reach the customer in the order they were written: a bot's greeting
# and its menu, queued together, once went out side by side and could arrive swapped.
_IN_LINE = (MessageStatus.pending, MessageStatus.sending)


def _earlier_in_line() -> ColumnElement[bool]:
    """An earlier send of the message's conversation is still waiting or under way."""
    earlier = aliased(Message)
    return exists().where(
        earlier.conversation_id == Message.conversation_id,
        earlier.direction == MessageDirection.outbound,
        earlier.status.in_(_IN_LINE),
        tuple_(earlier.created_at, earlier.id) < tuple_(Message.created_at, Message.id),
    )


async def claim(session: AsyncSession, message_id: uuid.UUID) -> bool:
    """Take a due send, unless an earlier one of its conversation goes first (that one's
    outcome kicks this one: ``next_in_line``)."""
    now = utc_now()
    result = await session.execute(
        update(Message)
        .where(
            Message.id == message_id,
            Message.status == MessageStatus.pending,
            or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now),
            ~_earlier_in_line(),
        )
        .values(
            status=MessageStatus.sending, attempts=Message.attempts + 1, locked_until=now + LOCK
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


@dataclass(frozen=True)
class Outcome:
    status: MessageStatus  # sent, pending (retry), failed or unknown
    provider_message_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    retry_at: datetime | None = None


def retry_or_fail(attempts: int, code: str, message: str, retry_after: float | None) -> Outcome:
    if attempts >= MAX_ATTEMPTS:
        return Outcome(
            MessageStatus.failed,
            error_code=code,
            error_message=f"{message} (gave up after {attempts} attempts)",
        )
    return Outcome(
        MessageStatus.pending,
        error_code=code,
        error_message=message,
        retry_at=utc_now() + backoff(attempts, retry_after),
    )


async def next_in_line(session: AsyncSession, conversation_id: uuid.UUID) -> uuid.UUID | None:
    """The conversation's oldest send still waiting, once the one before it has an outcome."""
    return (
        await session.execute(
            select(Message.id)
            .where(
                Message.conversation_id == conversation_id,
                Message.direction == MessageDirection.outbound,
                Message.status == MessageStatus.pending,
            )
            .order_by(Message.created_at, Message.id)
            .limit(1)
        )
    ).scalar_one_or_none()


async def record(
    session: AsyncSession, message_id: uuid.UUID, outcome: Outcome
) -> uuid.UUID | None:
    """Write the outcome of a claimed send; its conversation, or None if the row was no
    longer ours."""
    values: dict[str, object] = {
        "status": outcome.status,
        "locked_until": None,
        "error_code": outcome.error_code,
        "error_message": outcome.error_message,
    }
    if outcome.provider_message_id:
        values["provider_message_id"] = outcome.provider_message_id
    if outcome.status is MessageStatus.sent:
        values["sent_at"] = utc_now()
    if outcome.retry_at is not None:
        values["next_attempt_at"] = outcome.retry_at
    conversation_id = (
        await session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status == MessageStatus.sending)
            .values(**values)
            .returning(Message.conversation_id)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one_or_none()
    if conversation_id is None:
        return None
    await publish_message_status(
        session,
        conversation_id,
        message_id,
        outcome.status,
        error_code=outcome.error_code,
        error_message=outcome.error_message,
    )
    return conversation_id


async def due_for_send(session: AsyncSession, *, limit: int = 500) -> list[uuid.UUID]:
    """Pending sends whose time has come and whose wake-up may have been lost."""
    now = utc_now()
    rows = await session.execute(
        select(Message.id)
        .where(Message.status == MessageStatus.pending, Message.next_attempt_at <= now)
        .order_by(Message.next_attempt_at)
        .limit(limit)
    )
    return list(rows.scalars())


async def abandon_stale_sends(session: AsyncSession) -> list[uuid.UUID]:
    """Sends whose worker vanished mid-call: their outcome is unknown (never resent)."""
    now = utc_now()
    rows = await session.execute(
        update(Message)
        .where(Message.status == MessageStatus.sending, Message.locked_until < now)
        .values(
            status=MessageStatus.unknown,
            locked_until=None,
            error_code="outcome_unknown",
            error_message="The send was interrupted; check with the customer or resend.",
        )
        .returning(Message.id, Message.conversation_id, Message.error_code, Message.error_message)
    )
    abandoned = rows.all()
    for message_id, conversation_id, error_code, error_message in abandoned:
        await publish_message_status(
            session,
            conversation_id,
            message_id,
            MessageStatus.unknown,
            error_code=error_code,
            error_message=error_message,
        )
    return [message_id for message_id, *_ in abandoned]
