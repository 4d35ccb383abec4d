"""Queueing an outbound message: the one way anything (an agent, the bot, a transfer
notice) sends to a customer."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.kit.jobs import jobs
from nexus.kit.models import utc_now
from nexus.models import (
    Conversation,
    Message,
    MessageDirection,
    MessageStatus,
    MessageType,
    TimerKind,
)
from nexus.realtime.conversation_events import publish_message

PREVIEW_LENGTH = 120


def preview_of(message: Message) -> str:
    if message.content:
        return message.content[:PREVIEW_LENGTH]
    return f"[{message.type.value}]"


async def queue_outbound(
    session: AsyncSession,
    conversation: Conversation,
    *,
    type: MessageType,
    content: str | None = None,
    media: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
    sender_id: uuid.UUID | None = None,
    is_bot: bool = False,
    idempotency_key: str | None = None,
    reply_to_id: uuid.UUID | None = None,
) -> Message:
    """Store the message as ``pending`` and have it delivered once the transaction
    commits. The row, not the job, is the truth: the sweep re-kicks it if the job is lost."""
    now = utc_now()
    message = Message(
        company_id=conversation.company_id,
        conversation_id=conversation.id,
        contact_id=conversation.contact_id,
        connection_id=conversation.connection_id,
        direction=MessageDirection.outbound,
        type=type,
        content=content,
        media=media,
        payload=payload or {},
        status=MessageStatus.pending,
        sender_id=sender_id,
        is_bot=is_bot,
        idempotency_key=idempotency_key,
        reply_to_id=reply_to_id,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    conversation.last_message_at = now
    conversation.last_message_preview = preview_of(message)
    if sender_id is not None and not is_bot:
        if conversation.first_response_at is None:
            conversation.first_response_at = now
        if conversation.timer_kind is TimerKind.queue_timeout:
            conversation.timer_kind = None  # answered: the response timer is done
            conversation.timer_due_at = None
    await session.flush()
    await publish_message(session, conversation, message)
    jobs.enqueue(session, "messages.send", message_id=str(message.id))
    return message
