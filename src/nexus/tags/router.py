from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from nexus.auth.dependencies import CurrentUser, Session, SupervisorUser
from nexus.kit.errors import ErrorResponse
from nexus.tags.repository import TagRepository
from nexus.tags.schemas import TagCreate, TagRead, TagUpdate
from nexus.tags.service import tag_service

router = APIRouter(
    prefix="/api/tags",
    tags=["tags"],
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)


@router.get("", response_model=list[TagRead], summary="List the company's tags")
async def list_tags(principal: CurrentUser, session: Session) -> list[TagRead]:
    tags = await TagRepository(session, principal.company_id).list()
    return [TagRead.model_validate(tag) for tag in tags]


@router.post(
    "",
    response_model=TagRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a tag (admin, supervisor)",
)
async def create_tag(body: TagCreate, principal: SupervisorUser, session: Session) -> TagRead:
    return TagRead.model_validate(await tag_service.create(session, principal, body))


@router.get("/{tag_id}", response_model=TagRead, summary="One tag")
async def get_tag(tag_id: uuid.UUID, principal: CurrentUser, session: Session) -> TagRead:
    return TagRead.model_validate(
        await TagRepository(session, principal.company_id).get_or_404(tag_id)
    )


@router.patch(
    "/{tag_id}", response_model=TagRead, summary="Rename or recolour a tag (admin, supervisor)"
)
async def update_tag(
    tag_id: uuid.UUID, body: TagUpdate, principal: SupervisorUser, session: Session
) -> TagRead:
    return TagRead.model_validate(await tag_service.update(session, principal, tag_id, body))


@router.delete(
    "/{tag_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a tag and remove it everywhere (admin, supervisor)",
)
async def delete_tag(tag_id: uuid.UUID, principal: SupervisorUser, session: Session) -> Response:
    await tag_service.delete(session, principal, tag_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
