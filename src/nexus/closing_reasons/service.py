"""Closing reasons ("tabulations"): why conversations were resolved, the axis of D2 reports."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.audit.service import audit
from nexus.auth.dependencies import Principal
from nexus.closing_reasons.repository import ClosingReasonRepository
from nexus.closing_reasons.schemas import ClosingReasonCreate, ClosingReasonUpdate
from nexus.kit.errors import Conflict
from nexus.models import ClosingReason


class ClosingReasonService:
    async def create(
        self, session: AsyncSession, principal: Principal, body: ClosingReasonCreate
    ) -> ClosingReason:
        repository = ClosingReasonRepository(session, principal.company_id)
        await repository.ensure_name_free(body.name)
        reason = await repository.create(**body.model_dump())
        await self._audit(session, principal, "closing_reason.create", reason)
        return reason

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        reason_id: uuid.UUID,
        body: ClosingReasonUpdate,
    ) -> ClosingReason:
        repository = ClosingReasonRepository(session, principal.company_id)
        reason = await repository.get_or_404(reason_id, for_update=True)
        changes = body.changes()
        if body.name is not None and body.name != reason.name:
            if reason.is_system:
                raise Conflict(
                    "A system closing reason cannot be renamed.",
                    code="system_closing_reason",
                    details=[{"field": "name", "message": "system reason", "type": "readonly"}],
                )
            await repository.ensure_name_free(body.name, exclude_id=reason.id)
        for field, value in changes.items():
            setattr(reason, field, value)
        await session.flush()
        await self._audit(
            session, principal, "closing_reason.update", reason, {"fields": sorted(changes)}
        )
        return reason

    async def delete(
        self, session: AsyncSession, principal: Principal, reason_id: uuid.UUID
    ) -> None:
        repository = ClosingReasonRepository(session, principal.company_id)
        reason = await repository.get_or_404(reason_id, for_update=True)
        if reason.is_system:
            raise Conflict(
                "A system closing reason cannot be deleted.", code="system_closing_reason"
            )
        # Resolved conversations keep their reason for the reports; deactivate it instead.
        if await repository.in_use(reason):
            raise Conflict(
                "Conversations were closed with this reason; deactivate it instead.",
                code="closing_reason_in_use",
            )
        await self._audit(session, principal, "closing_reason.delete", reason)
        await repository.delete(reason)

    async def _audit(
        self,
        session: AsyncSession,
        principal: Principal,
        action: str,
        reason: ClosingReason,
        data: dict[str, object] | None = None,
    ) -> None:
        await audit.record_action(
            session,
            principal,
            action,
            target_type="closing_reason",
            target_id=reason.id,
            data={"name": reason.name, **(data or {})},
        )


closing_reason_service = ClosingReasonService()
