"""Timers of conversations and agents (R4, R5, T6), served by set-based periodic sweeps.

Every timer is a due time in a row, never a sleeping coroutine, so a restart loses none.
Each sweep is idempotent: running it twice, or on two processes, changes nothing more
(rows are re-checked under the same locks the live paths use).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.companies.service import EXPIRY_REASON_NAME, company_service
from nexus.conversations.lifecycle import Change, transition
from nexus.kit.models import utc_now
from nexus.models import (
    ClosingReason,
    Company,
    Contact,
    Conversation,
    ConversationEventKind,
    ConversationStatus,
    Department,
    PresenceStatus,
    TimerKind,
    User,
)
from nexus.presence.service import presence_service
from nexus.realtime.notifications import notify_supervisors
from nexus.routing.service import routing_service

BATCH = 200

QUEUE_TIMEOUT_TEXTS = {
    "pt-BR": (
        "Conversa sem resposta",
        "{customer} esperou mais de {minutes} min sem resposta em {department}.",
    ),
    "en": (
        "Conversation without an answer",
        "{customer} waited more than {minutes} min without an answer in {department}.",
    ),
}
AGENT_OFFLINE_TEXTS = {
    "pt-BR": (
        "Agente offline",
        "{agent} parou de responder e ficou offline; {count} conversa(s) voltaram para a fila.",
    ),
    "en": (
        "Agent offline",
        "{agent} stopped responding and was set offline; {count} conversation(s) went back "
        "to the queue.",
    ),
}
Kind = ConversationEventKind
Status = ConversationStatus


async def expire_response_timers(session: AsyncSession) -> list[uuid.UUID]:
    """Redirect conversations nobody answered in time: an assigned one goes to another agent
    of its department; a waiting one moves to the root department. Returns the ids redirected
    (their supervisors are told)."""
    due = (
        (
            await session.execute(
                select(Conversation)
                .where(
                    Conversation.timer_kind == TimerKind.queue_timeout,
                    Conversation.timer_due_at <= utc_now(),
                )
                .order_by(Conversation.timer_due_at)
                .limit(BATCH)
            )
        )
        .scalars()
        .all()
    )
    redirected: list[uuid.UUID] = []
    for conversation in due:
        department = await _department_or_root(session, conversation)
        if conversation.status is Status.assigned and conversation.first_response_at is None:
            silent_agent = conversation.assignee_id
            await transition(
                session,
                conversation,
                Change(Kind.timeout_redirected, status=Status.waiting, assignee_id=None),
                actor_id=None,
                reason="no answer within the department's response time",
            )
            routing_service.arm_response_timer(conversation, department)
            await routing_service.try_assign(
                session,
                conversation,
                department,
                exclude=[silent_agent] if silent_agent else [],
            )
            redirected.append(conversation.id)
        elif conversation.status is Status.waiting:
            root = await _root(session, conversation.company_id)
            if root is not None and root.id != conversation.department_id:
                await routing_service.enqueue(
                    session,
                    conversation,
                    root,
                    kind=Kind.timeout_redirected,
                    actor_id=None,
                    reason="waited past the department's response time",
                )
            else:
                routing_service.arm_response_timer(conversation, department)
            redirected.append(conversation.id)
        else:
            conversation.timer_kind = None
            conversation.timer_due_at = None
            continue
        contact = await session.get(Contact, conversation.contact_id)
        await notify_supervisors(
            session,
            conversation.company_id,
            [department.id],
            kind="queue_timeout",
            texts=QUEUE_TIMEOUT_TEXTS,
            conversation_id=conversation.id,
            customer=(contact.name or contact.phone or "?") if contact else "?",
            minutes=department.response_timeout_minutes,
            department=department.name,
        )
    await session.flush()
    return redirected


async def expire_heartbeats(session: AsyncSession) -> list[uuid.UUID]:
    """Agents silent past their company's heartbeat timeout go offline; their conversations
    return to the queue for others."""
    now = utc_now()
    gone: list[uuid.UUID] = []
    for company in await _companies(session):
        timeout = company_service.settings_of(company).conversations.heartbeat_timeout_seconds
        silent = (
            (
                await session.execute(
                    select(User)
                    .where(
                        User.company_id == company.id,
                        User.presence != PresenceStatus.offline,
                        (User.last_heartbeat_at.is_(None))
                        | (User.last_heartbeat_at < now - timedelta(seconds=timeout)),
                    )
                    .limit(BATCH)
                )
            )
            .scalars()
            .all()
        )
        for user in silent:
            requeued = await routing_service.load_of(session, user.id)
            await presence_service.set(session, user, PresenceStatus.offline, reason="no heartbeat")
            gone.append(user.id)
            if requeued:
                await notify_supervisors(
                    session,
                    company.id,
                    await presence_service.member_departments(session, user.id),
                    kind="agent_offline",
                    texts=AGENT_OFFLINE_TEXTS,
                    agent=user.name,
                    count=requeued,
                )
    return gone


async def expire_idle_conversations(session: AsyncSession) -> list[uuid.UUID]:
    """Close conversations idle past the company's expiry (T6) with the system reason."""
    now = utc_now()
    closed: list[uuid.UUID] = []
    for company in await _companies(session):
        hours = company_service.settings_of(company).conversations.idle_expiry_hours
        idle = (
            (
                await session.execute(
                    select(Conversation)
                    .where(
                        Conversation.company_id == company.id,
                        Conversation.status.in_((Status.bot, Status.waiting, Status.assigned)),
                        Conversation.last_message_at < now - timedelta(hours=hours),
                    )
                    .limit(BATCH)
                )
            )
            .scalars()
            .all()
        )
        if not idle:
            continue
        reason = await _expiry_reason(session, company.id)
        for conversation in idle:
            await transition(
                session,
                conversation,
                Change(Kind.expired, status=Status.resolved),
                actor_id=None,
                reason=f"idle for {hours} h",
                data={"closing_reason_id": str(reason.id)},
            )
            conversation.closing_reason_id = reason.id
            closed.append(conversation.id)
    return closed


async def drain_all_queues(session: AsyncSession) -> int:
    """Safety net: assign whatever waits while someone has room (normally done at once when
    capacity frees; this catches anything a crash interrupted)."""
    rows = (
        await session.execute(
            select(Conversation.company_id, Conversation.department_id)
            .where(Conversation.status == Status.waiting, Conversation.department_id.is_not(None))
            .distinct()
        )
    ).all()
    assigned = 0
    for company_id, department_id in rows:
        if department_id is not None:
            assigned += await routing_service.drain(session, company_id, [department_id])
    return assigned


async def _companies(session: AsyncSession) -> list[Company]:
    return list((await session.execute(select(Company).where(Company.is_active))).scalars())


async def _root(session: AsyncSession, company_id: uuid.UUID) -> Department | None:
    return (
        await session.execute(
            select(Department)
            .where(Department.company_id == company_id, Department.is_root.is_(True))
            .limit(1)
        )
    ).scalar_one_or_none()


async def _department_or_root(session: AsyncSession, conversation: Conversation) -> Department:
    department = (
        await session.get(Department, conversation.department_id)
        if conversation.department_id
        else None
    ) or await _root(session, conversation.company_id)
    assert department is not None, "every company has a root department"
    return department


async def _expiry_reason(session: AsyncSession, company_id: uuid.UUID) -> ClosingReason:
    reason = (
        await session.execute(
            select(ClosingReason)
            .where(ClosingReason.company_id == company_id, ClosingReason.is_system.is_(True))
            .limit(1)
        )
    ).scalar_one_or_none()
    if reason is None:  # companies created before system reasons existed
        reason = ClosingReason(
            company_id=company_id, name=EXPIRY_REASON_NAME, is_system=True, position=999
        )
        session.add(reason)
        await session.flush()
    return reason
