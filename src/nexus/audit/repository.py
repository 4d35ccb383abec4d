from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from nexus.kit.repository import TenantRepository
from nexus.models import AuditLog


class AuditRepository(TenantRepository[AuditLog]):
    model = AuditLog
    not_found_message = "Audit entry not found."

    async def search(
        self,
        *,
        action: str | None,
        actor_id: uuid.UUID | None,
        target_type: str | None,
        target_id: str | None,
        since: datetime | None,
        until: datetime | None,
        before_sequence: int | None,
        limit: int,
    ) -> Sequence[AuditLog]:
        statement = self.base_statement()
        if action:
            # A prefix: "department." lists every action on departments.
            statement = statement.where(AuditLog.action.startswith(action, autoescape=True))
        if actor_id:
            statement = statement.where(AuditLog.actor_id == actor_id)
        if target_type:
            statement = statement.where(AuditLog.target_type == target_type)
        if target_id:
            statement = statement.where(AuditLog.target_id == target_id)
        if since:
            statement = statement.where(AuditLog.created_at >= since)
        if until:
            statement = statement.where(AuditLog.created_at < until)
        if before_sequence:
            statement = statement.where(AuditLog.sequence < before_sequence)
        return await self.all(statement.order_by(AuditLog.sequence.desc()).limit(limit + 1))

    async def count_entries(self) -> int:
        return await self.count(self.base_statement())
