from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from nexus.auth.dependencies import CurrentUser, Session, SupervisorUser
from nexus.kit.routes import ERROR_RESPONSES, ResourceRoutes, by_id
from nexus.models import Tag
from nexus.tags.repository import TagRepository
from nexus.tags.schemas import TagCreate, TagRead, TagUpdate
from nexus.tags.service import tag_service

router = APIRouter(prefix="/api/tags", tags=["tags"], responses=ERROR_RESPONSES)


async def _tags(principal: CurrentUser, session: Session) -> Sequence[Tag]:
    return await TagRepository(session, principal.company_id).list()


routes = ResourceRoutes(router, name="tag", plural="tags", read=TagRead, editor=SupervisorUser)
routes.add_list(_tags, summary="List the company's tags")
routes.add_create(TagCreate, tag_service.create, summary="Create a tag (admin, supervisor)")
routes.add_get(by_id(TagRepository), summary="One tag")
routes.add_update(
    TagUpdate, tag_service.update, summary="Rename or recolour a tag (admin, supervisor)"
)
routes.add_delete(
    tag_service.delete, summary="Delete a tag and remove it everywhere (admin, supervisor)"
)
