"""Agent presence (R5) and what it means for routing: coming online drains the queues of
the agent's departments; going offline (or silent past the heartbeat timeout) puts their
open conversations back in the queue for others, oldest first."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.conversations.lifecycle import Change, transition
from nexus.kit.models import utc_now
from nexus.models import (
    Conversation,
    ConversationEventKind,
    ConversationStatus,
    DepartmentMember,
    MembershipRole,
    PresenceStatus,
    User,
)
from nexus.realtime.service import publish_agent_status
from nexus.routing.service import routing_service


class PresenceService:
    async def set(
        self, session: AsyncSession, user: User, status: PresenceStatus, *, reason: str
    ) -> None:
        now = utc_now()
        changed = user.presence is not status
        user.presence = status
        if changed:
            user.presence_changed_at = now
        if status is not PresenceStatus.offline:
            user.last_heartbeat_at = now
        # The UPDATE of the user row comes first: it waits for any assignment to this agent
        # that is in flight (assignment locks the agent row) and makes later ones see the new
        # status, so the requeue below cannot miss a conversation assigned meanwhile.
        await session.flush()
        if changed:
            await publish_agent_status(session, user)
        if status is PresenceStatus.offline and changed:
            await self._requeue_conversations_of(session, user, reason=reason)
        if status is not PresenceStatus.busy:
            await routing_service.drain(
                session, user.company_id, await self.member_departments(session, user.id)
            )

    async def heartbeat(self, session: AsyncSession, user: User) -> None:
        if user.presence is not PresenceStatus.offline:
            user.last_heartbeat_at = utc_now()
            await session.flush()

    async def member_departments(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> list[uuid.UUID]:
        rows = await session.execute(
            select(DepartmentMember.department_id).where(
                DepartmentMember.user_id == user_id,
                DepartmentMember.role == MembershipRole.member,
            )
        )
        return list(rows.scalars())

    async def _requeue_conversations_of(
        self, session: AsyncSession, user: User, *, reason: str
    ) -> None:
        statement = select(Conversation).where(
            Conversation.company_id == user.company_id,
            Conversation.assignee_id == user.id,
            Conversation.status == ConversationStatus.assigned,
        )
        if session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update()
        for conversation in (await session.execute(statement)).scalars():
            await transition(
                session,
                conversation,
                Change(
                    ConversationEventKind.unassigned,
                    status=ConversationStatus.waiting,
                    assignee_id=None,
                ),
                actor_id=None,
                reason=reason,
            )


presence_service = PresenceService()
