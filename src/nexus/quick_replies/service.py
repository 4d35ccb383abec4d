"""Quick replies (K3): canned answers an agent inserts by typing "/shortcut"."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.audit.service import audit
from nexus.auth.dependencies import Principal
from nexus.departments.repository import DepartmentRepository
from nexus.kit.errors import ValidationFailed
from nexus.models import QuickReply
from nexus.quick_replies.repository import QuickReplyRepository
from nexus.quick_replies.schemas import QuickReplyCreate, QuickReplyUpdate


class QuickReplyService:
    async def create(
        self, session: AsyncSession, principal: Principal, body: QuickReplyCreate
    ) -> QuickReply:
        repository = QuickReplyRepository(session, principal.company_id)
        await repository.ensure_shortcut_free(body.shortcut)
        await self._check_department(session, principal, body.department_id)
        reply = await repository.create(**body.model_dump(), created_by_id=principal.id)
        await self._audit(session, principal, "quick_reply.create", reply)
        return reply

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        reply_id: uuid.UUID,
        body: QuickReplyUpdate,
    ) -> QuickReply:
        repository = QuickReplyRepository(session, principal.company_id)
        reply = await repository.get_or_404(reply_id, for_update=True)
        changes = body.changes()
        if body.shortcut is not None:
            await repository.ensure_shortcut_free(body.shortcut, exclude_id=reply.id)
        await self._check_department(session, principal, body.department_id)
        for field, value in changes.items():
            setattr(reply, field, value)
        await session.flush()
        await self._audit(
            session, principal, "quick_reply.update", reply, {"fields": sorted(changes)}
        )
        return reply

    async def delete(
        self, session: AsyncSession, principal: Principal, reply_id: uuid.UUID
    ) -> None:
        repository = QuickReplyRepository(session, principal.company_id)
        reply = await repository.get_or_404(reply_id, for_update=True)
        await self._audit(session, principal, "quick_reply.delete", reply)
        await repository.delete(reply)

    async def _check_department(
        self, session: AsyncSession, principal: Principal, department_id: uuid.UUID | None
    ) -> None:
        if department_id is None:
            return
        if await DepartmentRepository(session, principal.company_id).get(department_id) is None:
            raise ValidationFailed.field(
                "department_id", "Unknown department.", code="unknown_department"
            )

    async def _audit(
        self,
        session: AsyncSession,
        principal: Principal,
        action: str,
        reply: QuickReply,
        data: dict[str, object] | None = None,
    ) -> None:
        await audit.record_action(
            session,
            principal,
            action,
            target_type="quick_reply",
            target_id=reply.id,
            data={"shortcut": reply.shortcut, **(data or {})},
        )


quick_reply_service = QuickReplyService()
