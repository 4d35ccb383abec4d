from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select

from nexus.kit.repository import TenantRepository
from nexus.models import ClosingReason, Conversation


class ClosingReasonRepository(TenantRepository[ClosingReason]):
    model = ClosingReason
    not_found_message = "Closing reason not found."

    async def search(self, *, is_active: bool | None = None) -> Sequence[ClosingReason]:
        statement = self.base_statement()
        if is_active is not None:
            statement = statement.where(ClosingReason.is_active.is_(is_active))
        return await self.all(
            statement.order_by(ClosingReason.position, ClosingReason.name, ClosingReason.id)
        )

    async def ensure_name_free(self, name: str, *, exclude_id: uuid.UUID | None = None) -> None:
        # Case-insensitive: agents pick reasons from a list, and two that differ only in
        # case would split the reports.
        await self.ensure_unique(
            "name",
            func.lower(ClosingReason.name) == name.lower(),
            message="Another closing reason already has this name.",
            exclude_id=exclude_id,
        )

    async def in_use(self, reason: ClosingReason) -> bool:
        row = await self.session.execute(
            select(Conversation.id)
            .where(
                Conversation.company_id == self.company_id,
                Conversation.closing_reason_id == reason.id,
            )
            .limit(1)
        )
        return row.first() is not None
