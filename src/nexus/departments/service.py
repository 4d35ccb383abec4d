"""Departments: the queues conversations are routed to, and who works in each."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.audit.service import audit
from nexus.auth.dependencies import Principal
from nexus.companies.service import slugify
from nexus.departments.repository import DepartmentRepository
from nexus.departments.schemas import (
    DepartmentAgentRead,
    DepartmentCreate,
    DepartmentMembersUpdate,
    DepartmentUpdate,
)
from nexus.kit.errors import Conflict, ValidationFailed
from nexus.models import Department
from nexus.users.service import user_service


class DepartmentService:
    async def create(
        self, session: AsyncSession, principal: Principal, body: DepartmentCreate
    ) -> Department:
        repository = DepartmentRepository(session, principal.company_id)
        slug = body.slug or slugify(body.name)[:60]
        await repository.ensure_slug_free(slug)
        department = await repository.create(
            **body.model_dump(exclude={"slug", "business_hours"}),
            slug=slug,
            business_hours=body.business_hours.stored(),
        )
        await self._keep_one_root(repository, department)
        await self._audit(session, principal, "department.create", department)
        return department

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        department_id: uuid.UUID,
        body: DepartmentUpdate,
    ) -> Department:
        repository = DepartmentRepository(session, principal.company_id)
        department = await repository.get_or_404(department_id, for_update=True)
        changes = body.changes()
        if body.slug is not None:
            await repository.ensure_slug_free(body.slug, exclude_id=department.id)
        if body.business_hours is not None:
            changes["business_hours"] = body.business_hours.stored()
        if department.is_root and changes.get("is_root") is False:
            raise Conflict(
                "A company always has a root department: make another one root instead.",
                code="root_required",
            )
        for field, value in changes.items():
            setattr(department, field, value)
        await session.flush()
        await self._keep_one_root(repository, department)
        await self._audit(
            session, principal, "department.update", department, {"fields": sorted(changes)}
        )
        return department

    async def delete(
        self, session: AsyncSession, principal: Principal, department_id: uuid.UUID
    ) -> None:
        repository = DepartmentRepository(session, principal.company_id)
        department = await repository.get_or_404(department_id, for_update=True)
        if department.is_root:
            raise Conflict(
                "The root department cannot be deleted: make another one root first.",
                code="root_department",
            )
        if await repository.in_use(department):
            raise Conflict(
                "This department has conversations; deactivate it instead of deleting it.",
                code="department_in_use",
            )
        await self._audit(session, principal, "department.delete", department)
        await repository.delete(department)

    async def set_members(
        self,
        session: AsyncSession,
        principal: Principal,
        department_id: uuid.UUID,
        body: DepartmentMembersUpdate,
    ) -> Department:
        repository = DepartmentRepository(session, principal.company_id)
        department = await repository.get_or_404(department_id, for_update=True)
        user_ids = [member.user_id for member in body.members]
        known = await repository.existing_user_ids(user_ids)
        unknown = [
            {"field": f"members.{index}.user_id", "message": "Unknown user.", "type": "unknown"}
            for index, user_id in enumerate(user_ids)
            if user_id not in known
        ]
        if unknown:
            raise ValidationFailed("Some users are not in this company.", details=unknown)
        await repository.replace_members(
            department.id, [(member.user_id, member.role) for member in body.members]
        )
        await self._audit(
            session,
            principal,
            "department.members_update",
            department,
            {"members": [{"user_id": str(m.user_id), "role": m.role.value} for m in body.members]},
        )
        return department

    async def agents(
        self, session: AsyncSession, principal: Principal, department_id: uuid.UUID
    ) -> list[DepartmentAgentRead]:
        repository = DepartmentRepository(session, principal.company_id)
        department = await repository.get_or_404(department_id)
        members = await repository.members(department.id)
        reads = await user_service.to_read_many(session, [user for user, _ in members])
        return [
            DepartmentAgentRead(**read.model_dump(), membership_role=role)
            for read, (_, role) in zip(reads, members, strict=True)
        ]

    async def _keep_one_root(
        self, repository: DepartmentRepository, department: Department
    ) -> None:
        if not department.is_root:
            return
        if not department.is_active:
            # Unrouted conversations land in the root department: it must take them.
            raise Conflict("The root department must stay active.", code="root_inactive")
        await repository.unroot_others(department.id)

    async def _audit(
        self,
        session: AsyncSession,
        principal: Principal,
        action: str,
        department: Department,
        data: dict[str, object] | None = None,
    ) -> None:
        await audit.record_action(
            session,
            principal,
            action,
            target_type="department",
            target_id=department.id,
            data={"slug": department.slug, "name": department.name, **(data or {})},
        )


department_service = DepartmentService()
