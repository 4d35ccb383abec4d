"""Fair, race-free assignment (R3, R4, R7).

Assignment is one atomic claim. The chosen agent's row is locked (``FOR UPDATE`` on
PostgreSQL; SQLite write transactions are already serial under ``BEGIN IMMEDIATE``), their
load is counted again under that lock, and the conversation moves with a conditional
``UPDATE … WHERE status = 'waiting'``: whatever the number of processes, an agent never
exceeds capacity and a conversation is never assigned twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ScalarSelect, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import SQLCoreOperations

from nexus.conversations.lifecycle import Change, transition
from nexus.kit.models import utc_now
from nexus.models import (
    Conversation,
    ConversationEventKind,
    ConversationStatus,
    Department,
    DepartmentMember,
    MembershipRole,
    PresenceStatus,
    RoutingRule,
    TimerKind,
    User,
)


@dataclass(frozen=True)
class Candidate:
    user_id: uuid.UUID
    load: int
    capacity: int
    last_assigned_at: datetime | None

    def as_reason(self) -> dict[str, object]:
        return {
            "user_id": str(self.user_id),
            "load": self.load,
            "capacity": self.capacity,
            "last_assigned_at": self.last_assigned_at.isoformat()
            if self.last_assigned_at
            else None,
        }


def _active_load(user_id: SQLCoreOperations[uuid.UUID] | uuid.UUID) -> ScalarSelect[int]:
    """How many conversations an agent is answering right now."""
    return (
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.assignee_id == user_id,
            Conversation.status == ConversationStatus.assigned,
        )
        .scalar_subquery()
    )


def order_candidates(candidates: Sequence[Candidate], rule: RoutingRule) -> list[Candidate]:
    """The routing rule, as a pure function (property-tested): only agents under capacity;
    least loaded first (or least recently assigned, for round robin), the agent idle the
    longest as the tie-break, and the id last so the order is total."""
    never = datetime.min.replace(tzinfo=None)

    def idle_key(candidate: Candidate) -> datetime:
        return (
            candidate.last_assigned_at.replace(tzinfo=None) if candidate.last_assigned_at else never
        )

    eligible = [c for c in candidates if c.load < c.capacity]
    if rule is RoutingRule.round_robin:
        return sorted(eligible, key=lambda c: (idle_key(c), str(c.user_id)))
    return sorted(eligible, key=lambda c: (c.load, idle_key(c), str(c.user_id)))


class RoutingService:
    async def candidates(self, session: AsyncSession, department: Department) -> list[Candidate]:
        load = _active_load(User.id)
        rows = await session.execute(
            select(User.id, load, User.max_conversations, User.last_assigned_at)
            .join(DepartmentMember, DepartmentMember.user_id == User.id)
            .where(
                DepartmentMember.department_id == department.id,
                DepartmentMember.role == MembershipRole.member,
                User.company_id == department.company_id,
                User.is_active.is_(True),
                User.presence == PresenceStatus.online,
            )
        )
        return [Candidate(r[0], int(r[1]), int(r[2]), r[3]) for r in rows]

    async def enqueue(
        self,
        session: AsyncSession,
        conversation: Conversation,
        department: Department,
        *,
        kind: ConversationEventKind,
        actor_id: uuid.UUID | None,
        reason: str | None = None,
    ) -> uuid.UUID | None:
        """Put the conversation in the department's queue, then try to assign it."""
        await transition(
            session,
            conversation,
            Change(
                kind,
                status=ConversationStatus.waiting,
                department_id=department.id,
                assignee_id=None,
            ),
            actor_id=actor_id,
            reason=reason,
        )
        self.arm_response_timer(conversation, department)
        return await self.try_assign(session, conversation, department)

    async def try_assign(
        self,
        session: AsyncSession,
        conversation: Conversation,
        department: Department,
        *,
        exclude: Sequence[uuid.UUID] = (),
    ) -> uuid.UUID | None:
        if department.routing_rule is RoutingRule.manual:
            return None
        if not await self._lock_waiting(session, conversation):
            return None  # another process assigned or moved it first
        candidates = [
            c for c in await self.candidates(session, department) if c.user_id not in exclude
        ]
        for candidate in order_candidates(candidates, department.routing_rule):
            if not await self._lock_under_capacity(session, candidate.user_id):
                continue
            await transition(
                session,
                conversation,
                Change(
                    ConversationEventKind.assigned,
                    status=ConversationStatus.assigned,
                    assignee_id=candidate.user_id,
                ),
                actor_id=None,
                reason=f"automatic ({department.routing_rule.value})",
                data={
                    "rule": department.routing_rule.value,
                    "chosen": str(candidate.user_id),
                    "eligible": [c.as_reason() for c in candidates],
                },
            )
            self.arm_response_timer(conversation, department)
            await session.execute(
                update(User).where(User.id == candidate.user_id).values(last_assigned_at=utc_now())
            )
            return candidate.user_id
        return None

    async def drain(
        self, session: AsyncSession, company_id: uuid.UUID, department_ids: Sequence[uuid.UUID]
    ) -> int:
        """Assign waiting conversations, oldest first, while someone can take them."""
        assigned = 0
        for department_id in department_ids:
            department = await session.get(Department, department_id)
            if department is None or department.company_id != company_id:
                continue
            skipped: list[uuid.UUID] = []
            while True:
                statement = (
                    select(Conversation)
                    .where(
                        Conversation.company_id == company_id,
                        Conversation.department_id == department_id,
                        Conversation.status == ConversationStatus.waiting,
                        Conversation.id.not_in(skipped),
                    )
                    .order_by(Conversation.queued_at, Conversation.id)
                    .limit(1)
                )
                if session.get_bind().dialect.name == "postgresql":
                    statement = statement.with_for_update(skip_locked=True)
                conversation = (await session.execute(statement)).scalar_one_or_none()
                if conversation is None:
                    break
                if await self.try_assign(session, conversation, department) is None:
                    # Nobody can take the oldest one, so nobody can take the younger ones.
                    if not await self.candidates_with_room(session, department):
                        break
                    skipped.append(conversation.id)
                    continue
                assigned += 1
        return assigned

    async def load_of(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        """How many conversations the agent is answering now."""
        return int((await session.execute(select(_active_load(user_id)))).scalar_one())

    async def can_take(self, session: AsyncSession, user_id: uuid.UUID) -> bool:
        """Whether an agent is online with room for one more (locks their row)."""
        return await self._lock_under_capacity(session, user_id)

    async def candidates_with_room(self, session: AsyncSession, department: Department) -> bool:
        return any(c.load < c.capacity for c in await self.candidates(session, department))

    async def _lock_under_capacity(self, session: AsyncSession, user_id: uuid.UUID) -> bool:
        lock = select(User.max_conversations, User.presence, User.is_active).where(
            User.id == user_id
        )
        if session.get_bind().dialect.name == "postgresql":
            lock = lock.with_for_update()
        row = (await session.execute(lock)).one_or_none()
        if row is None or row.presence is not PresenceStatus.online or not row.is_active:
            return False
        return await self.load_of(session, user_id) < int(row.max_conversations)

    async def _lock_waiting(self, session: AsyncSession, conversation: Conversation) -> bool:
        """Lock the conversation row and confirm it still waits, with fresh values."""
        statement = (
            select(Conversation)
            .where(Conversation.id == conversation.id)
            .execution_options(populate_existing=True)
        )
        if session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update()
        fresh = (await session.execute(statement)).scalar_one_or_none()
        return fresh is not None and fresh.status is ConversationStatus.waiting

    def arm_response_timer(self, conversation: Conversation, department: Department) -> None:
        conversation.timer_kind = TimerKind.queue_timeout
        conversation.timer_due_at = utc_now() + timedelta(
            minutes=department.response_timeout_minutes
        )


routing_service = RoutingService()
