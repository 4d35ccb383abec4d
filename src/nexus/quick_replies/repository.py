from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, func, or_, select

from nexus.auth.dependencies import Principal
from nexus.kit.errors import NotFound
from nexus.kit.repository import TenantRepository
from nexus.models import DepartmentMember, QuickReply, UserRole


class QuickReplyRepository(TenantRepository[QuickReply]):
    model = QuickReply
    not_found_message = "Quick reply not found."

    def visible_statement(self, principal: Principal) -> Select[QuickReply]:
        """Agents see the company-wide replies and their departments'; admins and
        supervisors, who manage them, see all."""
        statement = self.base_statement()
        if principal.role is not UserRole.agent:
            return statement
        departments = select(DepartmentMember.department_id).where(
            DepartmentMember.company_id == self.company_id,
            DepartmentMember.user_id == principal.id,
        )
        return statement.where(
            or_(QuickReply.department_id.is_(None), QuickReply.department_id.in_(departments))
        )

    async def get_visible_or_404(self, principal: Principal, id: uuid.UUID) -> QuickReply:
        statement = self.visible_statement(principal).where(QuickReply.id == id)
        reply = await self.one_or_none(statement)
        if reply is None:
            raise NotFound(self.not_found_message)
        return reply

    async def search(
        self,
        principal: Principal,
        *,
        search: str | None,
        department_id: uuid.UUID | None,
    ) -> Sequence[QuickReply]:
        statement = self.visible_statement(principal)
        if department_id is not None:
            statement = statement.where(QuickReply.department_id == department_id)
        if search:
            shortcut = search.strip().removeprefix("/").lower()
            statement = statement.where(
                or_(
                    QuickReply.shortcut.startswith(shortcut, autoescape=True),
                    func.lower(QuickReply.content).contains(search.lower(), autoescape=True),
                )
            )
        return await self.all(statement.order_by(QuickReply.shortcut))

    async def ensure_shortcut_free(
        self, shortcut: str, *, exclude_id: uuid.UUID | None = None
    ) -> None:
        await self.ensure_unique(
            "shortcut",
            QuickReply.shortcut == shortcut,
            message="Another quick reply already uses this shortcut.",
            exclude_id=exclude_id,
        )
