from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from nexus.auth.dependencies import CurrentUser, Session, SupervisorUser
from nexus.kit.errors import ErrorResponse
from nexus.quick_replies.repository import QuickReplyRepository
from nexus.quick_replies.schemas import QuickReplyCreate, QuickReplyRead, QuickReplyUpdate
from nexus.quick_replies.service import quick_reply_service

router = APIRouter(
    prefix="/api/quick-replies",
    tags=["quick-replies"],
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)


@router.get(
    "",
    response_model=list[QuickReplyRead],
    summary="The quick replies I can use, by shortcut prefix or content",
)
async def list_quick_replies(
    principal: CurrentUser,
    session: Session,
    search: Annotated[
        str | None,
        Query(max_length=100, description='Shortcut prefix ("/bo") or part of the content'),
    ] = None,
    department_id: uuid.UUID | None = None,
) -> list[QuickReplyRead]:
    replies = await QuickReplyRepository(session, principal.company_id).search(
        principal, search=search, department_id=department_id
    )
    return [QuickReplyRead.model_validate(reply) for reply in replies]


@router.post(
    "",
    response_model=QuickReplyRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a quick reply (admin, supervisor)",
)
async def create_quick_reply(
    body: QuickReplyCreate, principal: SupervisorUser, session: Session
) -> QuickReplyRead:
    reply = await quick_reply_service.create(session, principal, body)
    return QuickReplyRead.model_validate(reply)


@router.get("/{quick_reply_id}", response_model=QuickReplyRead, summary="One quick reply")
async def get_quick_reply(
    quick_reply_id: uuid.UUID, principal: CurrentUser, session: Session
) -> QuickReplyRead:
    reply = await QuickReplyRepository(session, principal.company_id).get_visible_or_404(
        principal, quick_reply_id
    )
    return QuickReplyRead.model_validate(reply)


@router.patch(
    "/{quick_reply_id}",
    response_model=QuickReplyRead,
    summary="Update a quick reply (admin, supervisor)",
)
async def update_quick_reply(
    quick_reply_id: uuid.UUID, body: QuickReplyUpdate, principal: SupervisorUser, session: Session
) -> QuickReplyRead:
    reply = await quick_reply_service.update(session, principal, quick_reply_id, body)
    return QuickReplyRead.model_validate(reply)


@router.delete(
    "/{quick_reply_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a quick reply (admin, supervisor)",
)
async def delete_quick_reply(
    quick_reply_id: uuid.UUID, principal: SupervisorUser, session: Session
) -> Response:
    await quick_reply_service.delete(session, principal, quick_reply_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
