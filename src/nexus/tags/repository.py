from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select

from nexus.kit.repository import TenantRepository
from nexus.models import Tag


class TagRepository(TenantRepository[Tag]):
    model = Tag
    not_found_message = "Tag not found."

    async def list(self) -> Sequence[Tag]:
        return await self.all(self.base_statement().order_by(Tag.name, Tag.id))

    async def ensure_name_free(self, name: str, *, exclude_id: uuid.UUID | None = None) -> None:
        # Case-insensitive: "VIP" and "vip" would be the same label to the people using them.
        await self.ensure_unique(
            "name",
            func.lower(Tag.name) == name.lower(),
            message="Another tag already has this name.",
            exclude_id=exclude_id,
        )

    async def existing_ids(self, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        if not ids:
            return set()
        rows = await self.session.execute(
            select(Tag.id).where(Tag.company_id == self.company_id, Tag.id.in_(ids))
        )
        return set(rows.scalars())
