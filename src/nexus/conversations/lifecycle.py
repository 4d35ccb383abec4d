"""The conversation state machine: every change of status, department or assignee goes
through ``transition``, which applies it, writes the event row (T7) and publishes its one
real-time event, in one place."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.kit.errors import Conflict
from nexus.kit.models import utc_now
from nexus.models import (
    Conversation,
    ConversationEvent,
    ConversationEventKind,
    ConversationStatus,
)
from nexus.realtime.conversation_events import conversation_audience, publish_transition

S = ConversationStatus
ALLOWED: dict[ConversationStatus, frozenset[ConversationStatus]] = {
    S.bot: frozenset({S.bot, S.waiting, S.assigned, S.resolved}),
    S.waiting: frozenset({S.waiting, S.assigned, S.resolved}),
    S.assigned: frozenset({S.assigned, S.waiting, S.resolved}),
    S.resolved: frozenset({S.waiting, S.assigned, S.archived}),
    S.archived: frozenset(),
}
_UNSET: Any = object()


@dataclass(frozen=True)
class Change:
    kind: ConversationEventKind
    status: ConversationStatus | None = None
    department_id: uuid.UUID | None = _UNSET
    assignee_id: uuid.UUID | None = _UNSET


async def transition(
    session: AsyncSession,
    conversation: Conversation,
    change: Change,
    *,
    actor_id: uuid.UUID | None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> ConversationEvent:
    now = utc_now()
    from_status = conversation.status
    to_status = change.status or from_status
    if to_status not in ALLOWED[from_status]:
        raise Conflict(
            f"A {from_status.value} conversation cannot become {to_status.value}.",
            code="invalid_transition",
        )
    # Who saw it before the change still needs to hear of it (it left their queue).
    before = await conversation_audience(session, conversation)
    event = ConversationEvent(
        company_id=conversation.company_id,
        conversation_id=conversation.id,
        kind=change.kind.value,
        actor_id=actor_id,
        from_status=from_status.value,
        to_status=to_status.value,
        from_department_id=conversation.department_id,
        to_department_id=conversation.department_id,
        from_assignee_id=conversation.assignee_id,
        to_assignee_id=conversation.assignee_id,
        reason=reason,
        data=data or {},
        created_at=now,
    )
    if change.department_id is not _UNSET and change.department_id != conversation.department_id:
        if conversation.department_id is not None:
            conversation.last_department_id = conversation.department_id
        conversation.department_id = change.department_id
        event.to_department_id = change.department_id
    if change.assignee_id is not _UNSET and change.assignee_id != conversation.assignee_id:
        if conversation.assignee_id is not None:
            conversation.last_assignee_id = conversation.assignee_id
        conversation.assignee_id = change.assignee_id
        event.to_assignee_id = change.assignee_id
        conversation.assigned_at = now if change.assignee_id is not None else None
    conversation.status = to_status
    if to_status is S.waiting and from_status is not S.waiting:
        conversation.queued_at = now
    if to_status is S.resolved:
        conversation.resolved_at = now
    if to_status is S.archived:
        conversation.archived_at = now
    if to_status in (S.resolved, S.archived):
        conversation.timer_kind = None
        conversation.timer_due_at = None
    session.add(event)
    await session.flush()
    await publish_transition(session, conversation, event, before)
    return event
