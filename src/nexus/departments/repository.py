from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, or_, select, update

from nexus.kit.repository import TenantRepository
from nexus.models import Conversation, Department, DepartmentMember, MembershipRole, User


class DepartmentRepository(TenantRepository[Department]):
    model = Department
    not_found_message = "Department not found."

    async def search(self, *, is_active: bool | None = None) -> Sequence[Department]:
        statement = self.base_statement()
        if is_active is not None:
            statement = statement.where(Department.is_active.is_(is_active))
        return await self.all(statement.order_by(Department.position, Department.name))

    async def ensure_slug_free(self, slug: str, *, exclude_id: uuid.UUID | None = None) -> None:
        await self.ensure_unique(
            "slug",
            Department.slug == slug,
            message="Another department already uses this slug.",
            exclude_id=exclude_id,
        )

    async def unroot_others(self, root_id: uuid.UUID) -> None:
        await self.session.execute(
            update(Department)
            .where(
                Department.company_id == self.company_id,
                Department.is_root.is_(True),
                Department.id != root_id,
            )
            .values(is_root=False)
        )

    async def in_use(self, department: Department) -> bool:
        row = await self.session.execute(
            select(Conversation.id)
            .where(
                Conversation.company_id == self.company_id,
                or_(
                    Conversation.department_id == department.id,
                    Conversation.last_department_id == department.id,
                ),
            )
            .limit(1)
        )
        return row.first() is not None

    async def members(self, department_id: uuid.UUID) -> list[tuple[User, MembershipRole]]:
        rows = await self.session.execute(
            select(User, DepartmentMember.role)
            .join(DepartmentMember, DepartmentMember.user_id == User.id)
            .where(
                User.company_id == self.company_id,
                DepartmentMember.company_id == self.company_id,
                DepartmentMember.department_id == department_id,
            )
            .order_by(User.name, User.id)
        )
        return [(user, role) for user, role in rows]

    async def replace_members(
        self, department_id: uuid.UUID, members: Sequence[tuple[uuid.UUID, MembershipRole]]
    ) -> None:
        await self.session.execute(
            delete(DepartmentMember).where(
                DepartmentMember.company_id == self.company_id,
                DepartmentMember.department_id == department_id,
            )
        )
        self.session.add_all(
            DepartmentMember(
                company_id=self.company_id, department_id=department_id, user_id=user_id, role=role
            )
            for user_id, role in members
        )
        await self.session.flush()

    async def existing_user_ids(self, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        if not ids:
            return set()
        rows = await self.session.execute(
            select(User.id).where(User.company_id == self.company_id, User.id.in_(ids))
        )
        return set(rows.scalars())
