from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select

from nexus.kit.repository import TenantRepository
from nexus.models import Department, DepartmentMember, MembershipRole, User, UserRole


class UserRepository(TenantRepository[User]):
    model = User
    not_found_message = "User not found."

    async def get_by_email(self, email: str) -> User | None:
        # E-mails are unique in the whole installation (login needs no company).
        return (
            await self.session.execute(select(User).where(User.email == email.lower()))
        ).scalar_one_or_none()

    async def search(
        self,
        *,
        role: UserRole | None = None,
        is_active: bool | None = None,
        department_id: uuid.UUID | None = None,
        search: str | None = None,
    ) -> Sequence[User]:
        statement = self.base_statement()
        if role is not None:
            statement = statement.where(User.role == role)
        if is_active is not None:
            statement = statement.where(User.is_active == is_active)
        if department_id is not None:
            statement = statement.where(
                User.id.in_(
                    select(DepartmentMember.user_id).where(
                        DepartmentMember.department_id == department_id,
                        DepartmentMember.company_id == self.company_id,
                    )
                )
            )
        if search:
            pattern = f"%{search.lower()}%"
            statement = statement.where(
                func.lower(User.name).like(pattern) | func.lower(User.email).like(pattern)
            )
        return await self.all(statement.order_by(User.name, User.id))

    async def count_active_admins(self) -> int:
        return await self.count(
            self.base_statement().where(User.role == UserRole.admin, User.is_active.is_(True))
        )

    async def memberships(
        self, user_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[DepartmentMember]]:
        if not user_ids:
            return {}
        rows = (
            await self.session.execute(
                select(DepartmentMember).where(
                    DepartmentMember.company_id == self.company_id,
                    DepartmentMember.user_id.in_(user_ids),
                )
            )
        ).scalars()
        result: dict[uuid.UUID, list[DepartmentMember]] = {user_id: [] for user_id in user_ids}
        for row in rows:
            result[row.user_id].append(row)
        return result

    async def set_memberships(
        self, user_id: uuid.UUID, memberships: Sequence[tuple[uuid.UUID, MembershipRole]]
    ) -> None:
        await self.session.execute(
            delete(DepartmentMember).where(
                DepartmentMember.company_id == self.company_id,
                DepartmentMember.user_id == user_id,
            )
        )
        for department_id, role in memberships:
            self.session.add(
                DepartmentMember(
                    company_id=self.company_id,
                    user_id=user_id,
                    department_id=department_id,
                    role=role,
                )
            )
        await self.session.flush()

    async def existing_department_ids(self, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        if not ids:
            return set()
        rows = await self.session.execute(
            select(Department.id).where(
                Department.company_id == self.company_id, Department.id.in_(ids)
            )
        )
        return set(rows.scalars())
