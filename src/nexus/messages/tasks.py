from __future__ import annotations

import uuid

import structlog

from nexus.channels.errors import (
    ChannelError,
    PermanentError,
    TransientError,
    UnknownOutcome,
)
from nexus.kit.jobs import jobs
from nexus.messages import outbox
from nexus.messages.delivery import deliver
from nexus.models import MessageStatus

log = structlog.get_logger(__name__)


@jobs.task("messages.send")
async def send(message_id: str) -> None:
    """Deliver one claimed message. The provider call happens between two short
    transactions, never inside one (a slow provider must not hold database locks)."""
    id = uuid.UUID(message_id)
    database = jobs.db()
    async with database.write() as session:
        if not await outbox.claim(session, id):
            return  # sent, being sent, not due yet, or gone
    async with database.read() as session:
        attempts, call = await deliver.prepare(session, id)
    try:
        provider_message_id = await call()
        outcome = outbox.Outcome(MessageStatus.sent, provider_message_id=provider_message_id)
    except UnknownOutcome as error:
        outcome = outbox.Outcome(
            MessageStatus.unknown,
            error_code=error.code or "outcome_unknown",
            error_message=error.message,
        )
    except TransientError as error:
        outcome = outbox.retry_or_fail(
            attempts, error.code or "transient", error.message, error.retry_after
        )
    except PermanentError as error:
        outcome = outbox.Outcome(
            MessageStatus.failed, error_code=error.code or "failed", error_message=error.message
        )
    except ChannelError as error:  # misconfigured connection: a person must fix it
        outcome = outbox.Outcome(
            MessageStatus.failed, error_code="channel_error", error_message=str(error)
        )
    async with database.write() as session:
        conversation_id = await outbox.record(session, id, outcome)
        if conversation_id is not None and outcome.status is not MessageStatus.pending:
            following = await outbox.next_in_line(session, conversation_id)
            if following is not None:
                jobs.enqueue(session, "messages.send", message_id=str(following))
    log.info(
        "message_send",
        message_id=message_id,
        status=outcome.status.value,
        error_code=outcome.error_code,
    )


@jobs.task("messages.sweep", every_seconds=5)
async def sweep() -> None:
    """Re-kick due sends whose wake-up was lost, and surface sends a dead worker left."""
    async with jobs.db().write() as session:
        abandoned = await outbox.abandon_stale_sends(session)
        due = await outbox.due_for_send(session)
    for message_id in abandoned:
        log.warning("message_send_outcome_unknown", message_id=str(message_id))
    for message_id in due:
        await jobs.kick("messages.send", message_id=str(message_id))
