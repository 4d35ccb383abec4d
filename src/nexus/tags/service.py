"""Tags: labels on conversations and contacts (T5)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.audit.service import audit
from nexus.auth.dependencies import Principal
from nexus.models import Tag
from nexus.tags.repository import TagRepository
from nexus.tags.schemas import TagCreate, TagUpdate


class TagService:
    async def create(self, session: AsyncSession, principal: Principal, body: TagCreate) -> Tag:
        repository = TagRepository(session, principal.company_id)
        await repository.ensure_name_free(body.name)
        tag = await repository.create(**body.model_dump())
        await self._audit(session, principal, "tag.create", tag)
        return tag

    async def update(
        self, session: AsyncSession, principal: Principal, tag_id: uuid.UUID, body: TagUpdate
    ) -> Tag:
        repository = TagRepository(session, principal.company_id)
        tag = await repository.get_or_404(tag_id, for_update=True)
        changes = body.changes()
        if body.name is not None:
            await repository.ensure_name_free(body.name, exclude_id=tag.id)
        for field, value in changes.items():
            setattr(tag, field, value)
        await session.flush()
        await self._audit(session, principal, "tag.update", tag, {"fields": sorted(changes)})
        return tag

    async def delete(self, session: AsyncSession, principal: Principal, tag_id: uuid.UUID) -> None:
        """Removes the tag from every conversation and contact too (the label is gone)."""
        repository = TagRepository(session, principal.company_id)
        tag = await repository.get_or_404(tag_id, for_update=True)
        await self._audit(session, principal, "tag.delete", tag)
        await repository.delete(tag)

    async def _audit(
        self,
        session: AsyncSession,
        principal: Principal,
        action: str,
        tag: Tag,
        data: dict[str, object] | None = None,
    ) -> None:
        await audit.record_action(
            session,
            principal,
            action,
            target_type="tag",
            target_id=tag.id,
            data={"name": tag.name, **(data or {})},
        )


tag_service = TagService()
