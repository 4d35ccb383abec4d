"""The events of conversations and their messages, and who receives them.

The conversation services call these next to the change (``transition`` for every change
of status, department or assignee; ``queue_outbound`` for every message sent; the inbound
processor for every message received, receipt, edit, deletion and reaction; the media
download job; notes), so each change is published once, in its own transaction. This
module imports no service, so any of them can import it.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.conversations.schemas import NoteRead
from nexus.conversations.visibility import QUEUE_STATUSES
from nexus.kit.db import after_commit, transaction_memo
from nexus.kit.realtime import conversation_room, realtime
from nexus.models import (
    Conversation,
    ConversationEvent,
    ConversationEventKind,
    ConversationStatus,
    DepartmentMember,
    Message,
    MessageDirection,
    MessageStatus,
    Note,
    User,
    UserRole,
)
from nexus.realtime.events import (
    LIVE_PAYLOAD_KEYS,
    ConversationAssigned,
    ConversationCreated,
    ConversationQueued,
    ConversationResolved,
    ConversationSummary,
    ConversationTransferred,
    ConversationUpdated,
    EventName,
    MessageChange,
    MessageReceived,
    MessageSent,
    MessageStatusChanged,
    MessageSummary,
    MessageUpdated,
    NoteAdded,
    ServerEvent,
)
from nexus.realtime.publish import Audience, publish

log = structlog.get_logger(__name__)

Kind = ConversationEventKind
Status = ConversationStatus

# What a transition of these kinds changed besides status, department and assignee: the
# names of the fields of ``ConversationRead`` a client refetches.
_CHANGED_BY_KIND = {
    Kind.priority_changed: "priority",
    Kind.tagged: "tag_ids",
    Kind.untagged: "tag_ids",
    Kind.customer_renamed: "contact",
}


async def department_supervisors(
    session: AsyncSession, company_id: uuid.UUID, department_id: uuid.UUID
) -> list[tuple[uuid.UUID, str]]:
    """The active supervisors linked to a department, with their locales. Read once per
    transaction: a batch of inbound events publishes every message to them. Not locked on
    PostgreSQL: a list up to a batch (50 ms) old names who receives an event as if it had
    been applied that much earlier."""
    memo: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[uuid.UUID, str]]]
    memo = transaction_memo(session, "department_supervisors")
    key = (company_id, department_id)
    if key not in memo:
        memo[key] = await _read_supervisors(session, company_id, department_id)
    return memo[key]


async def _read_supervisors(
    session: AsyncSession, company_id: uuid.UUID, department_id: uuid.UUID
) -> list[tuple[uuid.UUID, str]]:
    rows = await session.execute(
        select(User.id, User.locale)
        .join(DepartmentMember, DepartmentMember.user_id == User.id)
        .where(
            DepartmentMember.company_id == company_id,
            DepartmentMember.department_id == department_id,
            User.role == UserRole.supervisor,
            User.is_active.is_(True),
        )
    )
    return [(user_id, locale) for user_id, locale in rows]


async def conversation_audience(session: AsyncSession, conversation: Conversation) -> Audience:
    """Everyone who may see the conversation: admins (company), its assignee, the
    supervisors of its department, its department's agents while it waits in their queue,
    and whoever has it open."""
    supervisors: list[uuid.UUID] = []
    if conversation.department_id is not None:
        supervisors = [
            user_id
            for user_id, _ in await department_supervisors(
                session, conversation.company_id, conversation.department_id
            )
        ]
    departments: tuple[uuid.UUID, ...] = ()
    if conversation.status in QUEUE_STATUSES and conversation.department_id is not None:
        departments = (conversation.department_id,)
    assignee = [conversation.assignee_id] if conversation.assignee_id is not None else []
    return Audience(
        company=True,
        departments=departments,
        users=tuple(sorted({*supervisors, *assignee})),
        conversation=conversation.id,
    )


async def publish_conversation_event(
    session: AsyncSession,
    conversation: Conversation,
    event_name: EventName,
    payload: ServerEvent,
    *,
    also: Audience | None = None,
) -> None:
    """Publish to the conversation's audience, and to ``also`` (the audience it had before
    a change of who sees it)."""
    audience = await conversation_audience(session, conversation)
    if also is not None:
        audience = audience.union(also)
    publish(
        session,
        conversation.company_id,
        event_name,
        payload,
        company=audience.company,
        departments=audience.departments,
        users=audience.users,
        conversation=audience.conversation,
    )


def summary(conversation: Conversation) -> ConversationSummary:
    return ConversationSummary.model_validate(conversation)


async def publish_transition(
    session: AsyncSession,
    conversation: Conversation,
    event: ConversationEvent,
    before: Audience,
) -> None:
    """The one real-time event of a transition (``lifecycle.transition``), to those who saw
    the conversation before it and those who see it now.

    When someone stops seeing it (a transfer, a requeue to another department), its
    ``conversation:{id}`` room is emptied once this commits: a socket that had the chat open
    would otherwise keep receiving its notes and the customer's typing. Sockets of those
    who still see it join again when this event reaches them (the web app does)."""
    name, payload = _event_of(conversation, event)
    await publish_conversation_event(session, conversation, name, payload, also=before)
    if before.loses(await conversation_audience(session, conversation)):
        room = conversation_room(conversation.id)

        async def close() -> None:
            try:
                await realtime.close_room(room)
            except Exception:  # Redis down: the room empties when its sockets reconnect
                log.exception("conversation_room_close_failed", room=room)

        after_commit(session, close)


def _event_of(
    conversation: Conversation, event: ConversationEvent
) -> tuple[EventName, ServerEvent]:
    kind = Kind(event.kind)
    # StrEnum members equal their values: the event row keeps the statuses as text.
    from_status, to_status = event.from_status, conversation.status
    current = summary(conversation)
    if kind is Kind.created:
        return EventName.conversation_created, ConversationCreated(conversation=current)
    if kind in (Kind.transferred, Kind.timeout_redirected):
        return EventName.conversation_transferred, ConversationTransferred(
            conversation=current,
            from_department_id=event.from_department_id,
            from_assignee_id=event.from_assignee_id,
            actor_id=event.actor_id,
            reason=event.reason,
        )
    if to_status is Status.resolved and from_status != Status.resolved:
        reason_id = event.data.get("closing_reason_id")
        return EventName.conversation_resolved, ConversationResolved(
            conversation=current,
            closing_reason_id=uuid.UUID(reason_id) if reason_id else None,
            actor_id=event.actor_id,
        )
    changed = [
        field
        for field, old, new in (
            ("status", from_status, to_status),
            ("department_id", event.from_department_id, event.to_department_id),
            ("assignee_id", event.from_assignee_id, event.to_assignee_id),
        )
        if old != new
    ]
    if to_status is Status.waiting and changed:
        return EventName.conversation_queued, ConversationQueued(
            conversation=current, reason=event.reason
        )
    if to_status is Status.assigned and changed:
        return EventName.conversation_assigned, ConversationAssigned(
            conversation=current,
            previous_assignee_id=event.from_assignee_id,
            actor_id=event.actor_id,
        )
    if kind in _CHANGED_BY_KIND:
        changed.append(_CHANGED_BY_KIND[kind])
    return EventName.conversation_updated, ConversationUpdated(
        conversation=current, changed=changed
    )


async def publish_conversation_updated(
    session: AsyncSession, conversation: Conversation, changed: list[str]
) -> None:
    """A change that is not a transition (the unread count)."""
    await publish_conversation_event(
        session,
        conversation,
        EventName.conversation_updated,
        ConversationUpdated(conversation=summary(conversation), changed=changed),
    )


async def publish_message(
    session: AsyncSession, conversation: Conversation, message: Message
) -> None:
    """``message-received`` for the customer's messages, ``message-sent`` for ours (an
    agent's, the bot's, or one typed on the phone itself)."""
    body = {
        "conversation": summary(conversation),
        "message": MessageSummary.model_validate(message),
    }
    if message.direction is MessageDirection.inbound:
        await publish_conversation_event(
            session, conversation, EventName.message_received, MessageReceived(**body)
        )
    else:
        await publish_conversation_event(
            session, conversation, EventName.message_sent, MessageSent(**body)
        )


async def publish_message_updated(
    session: AsyncSession, message: Message, changed: list[MessageChange]
) -> None:
    """A message already shown changed (its file, the customer's edit or deletion, a
    reaction to it), to the same people as the message itself."""
    conversation = await session.get(Conversation, message.conversation_id)
    if conversation is None:
        return  # deleted with its company: nobody is left to tell
    live = {key: message.payload[key] for key in LIVE_PAYLOAD_KEYS if key in message.payload}
    await publish_conversation_event(
        session,
        conversation,
        EventName.message_updated,
        MessageUpdated(
            message=MessageSummary.model_validate(message), changed=changed, payload=live
        ),
    )


async def publish_note_added(session: AsyncSession, conversation: Conversation, note: Note) -> None:
    """An internal note, to those who see the conversation (staff only: notes never reach the
    customer's channel)."""
    await publish_conversation_event(
        session, conversation, EventName.note_added, NoteAdded(note=NoteRead.model_validate(note))
    )


async def publish_message_status(
    session: AsyncSession,
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    status: MessageStatus,
    *,
    error_code: str | None = None,
    error_message: str | None = None,
) -> None:
    """A message's status moved (a send's outcome, a receipt, a resend)."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        return  # deleted with its company: nobody is left to tell
    await publish_conversation_event(
        session,
        conversation,
        EventName.message_status,
        MessageStatusChanged(
            conversation_id=conversation_id,
            message_id=message_id,
            status=status,
            error_code=error_code,
            error_message=error_message,
        ),
    )
