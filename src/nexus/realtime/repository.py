from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.kit.repository import TenantRepository
from nexus.models import RealtimeEvent, RealtimeSequence


class RealtimeEventRepository(TenantRepository[RealtimeEvent]):
    model = RealtimeEvent

    async def last_seq(self) -> int:
        """The company's highest committed event number (0 before its first event)."""
        value = await self.session.scalar(
            select(RealtimeSequence.last_seq).where(RealtimeSequence.company_id == self.company_id)
        )
        return value or 0

    async def oldest_seq(self) -> int | None:
        return await self.session.scalar(
            select(func.min(RealtimeEvent.seq)).where(RealtimeEvent.company_id == self.company_id)
        )

    async def page(self, *, after: int, through: int, limit: int) -> Sequence[RealtimeEvent]:
        statement = (
            self.base_statement()
            .where(RealtimeEvent.seq > after, RealtimeEvent.seq <= through)
            .order_by(RealtimeEvent.seq)
            .limit(limit)
        )
        return await self.all(statement)


async def prune_events(
    session: AsyncSession, *, older_than: datetime, keep_per_company: int
) -> int:
    """Delete, per company, every event up to the newest one that is older than
    ``older_than`` or more than ``keep_per_company`` behind the company's counter.

    Always a prefix of the company's numbers (even if clocks of two processes disagreed on
    ``created_at``), so "the oldest retained seq" tells a client whether it missed any.
    """
    cuts: dict[uuid.UUID, int] = {}
    aged = await session.execute(
        select(RealtimeEvent.company_id, func.max(RealtimeEvent.seq))
        .where(RealtimeEvent.created_at < older_than)
        .group_by(RealtimeEvent.company_id)
    )
    for company_id, seq in aged:
        cuts[company_id] = seq
    crowded = await session.execute(
        select(RealtimeSequence.company_id, RealtimeSequence.last_seq - keep_per_company).where(
            RealtimeSequence.last_seq > keep_per_company
        )
    )
    for company_id, seq in crowded:
        cuts[company_id] = max(seq, cuts.get(company_id, 0))
    deleted = 0
    for company_id, seq in cuts.items():
        result = await session.execute(
            delete(RealtimeEvent).where(
                RealtimeEvent.company_id == company_id, RealtimeEvent.seq <= seq
            )
        )
        deleted += result.rowcount  # type: ignore[attr-defined]
    return deleted
