"""Who may see which conversation (T4) — one rule for REST lists, details and socket rooms.

- admins: every conversation of their company;
- supervisors: conversations of the departments they supervise, and their own;
- agents: conversations assigned to them, and the queue (bot/waiting) of their departments.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.models import (
    Conversation,
    ConversationStatus,
    DepartmentMember,
    MembershipRole,
    User,
    UserRole,
)

QUEUE_STATUSES = (ConversationStatus.waiting,)


@dataclass(frozen=True)
class Viewer:
    user_id: uuid.UUID
    company_id: uuid.UUID
    role: UserRole
    member_of: frozenset[uuid.UUID]
    supervises: frozenset[uuid.UUID]

    @property
    def department_ids(self) -> frozenset[uuid.UUID]:
        return self.member_of | self.supervises


async def viewer_for(session: AsyncSession, user: User) -> Viewer:
    rows = await session.execute(
        select(DepartmentMember.department_id, DepartmentMember.role).where(
            DepartmentMember.company_id == user.company_id, DepartmentMember.user_id == user.id
        )
    )
    member_of: set[uuid.UUID] = set()
    supervises: set[uuid.UUID] = set()
    for department_id, role in rows:
        (supervises if role is MembershipRole.supervisor else member_of).add(department_id)
    return Viewer(user.id, user.company_id, user.role, frozenset(member_of), frozenset(supervises))


def visible_clause(viewer: Viewer) -> ColumnElement[bool]:
    """The SQL form of the rule (the company filter is the repository's)."""
    if viewer.role is UserRole.admin:
        return true()
    own = Conversation.assignee_id == viewer.user_id
    if viewer.role is UserRole.supervisor:
        departments = viewer.department_ids
        return or_(own, Conversation.department_id.in_(departments)) if departments else own
    if not viewer.member_of:
        return or_(own, false())
    queue = and_(
        Conversation.status.in_(QUEUE_STATUSES),
        Conversation.department_id.in_(viewer.member_of),
    )
    return or_(own, queue)


def can_view(viewer: Viewer, conversation: Conversation) -> bool:
    """The Python form of ``visible_clause``, for one loaded conversation."""
    if conversation.company_id != viewer.company_id:
        return False
    if viewer.role is UserRole.admin or conversation.assignee_id == viewer.user_id:
        return True
    if viewer.role is UserRole.supervisor:
        return conversation.department_id in viewer.department_ids
    return conversation.status in QUEUE_STATUSES and conversation.department_id in viewer.member_of
