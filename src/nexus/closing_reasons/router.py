from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from nexus.auth.dependencies import AdminUser, CurrentUser, Session
from nexus.closing_reasons.repository import ClosingReasonRepository
from nexus.closing_reasons.schemas import (
    ClosingReasonCreate,
    ClosingReasonRead,
    ClosingReasonUpdate,
)
from nexus.closing_reasons.service import closing_reason_service
from nexus.kit.errors import ErrorResponse

router = APIRouter(
    prefix="/api/closing-reasons",
    tags=["closing-reasons"],
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)


@router.get("", response_model=list[ClosingReasonRead], summary="List the closing reasons")
async def list_closing_reasons(
    principal: CurrentUser, session: Session, is_active: bool | None = None
) -> list[ClosingReasonRead]:
    reasons = await ClosingReasonRepository(session, principal.company_id).search(
        is_active=is_active
    )
    return [ClosingReasonRead.model_validate(reason) for reason in reasons]


@router.post(
    "",
    response_model=ClosingReasonRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a closing reason (admin)",
)
async def create_closing_reason(
    body: ClosingReasonCreate, principal: AdminUser, session: Session
) -> ClosingReasonRead:
    reason = await closing_reason_service.create(session, principal, body)
    return ClosingReasonRead.model_validate(reason)


@router.get("/{closing_reason_id}", response_model=ClosingReasonRead, summary="One closing reason")
async def get_closing_reason(
    closing_reason_id: uuid.UUID, principal: CurrentUser, session: Session
) -> ClosingReasonRead:
    reason = await ClosingReasonRepository(session, principal.company_id).get_or_404(
        closing_reason_id
    )
    return ClosingReasonRead.model_validate(reason)


@router.patch(
    "/{closing_reason_id}",
    response_model=ClosingReasonRead,
    summary="Update a closing reason; system ones keep their name (admin)",
)
async def update_closing_reason(
    closing_reason_id: uuid.UUID,
    body: ClosingReasonUpdate,
    principal: AdminUser,
    session: Session,
) -> ClosingReasonRead:
    reason = await closing_reason_service.update(session, principal, closing_reason_id, body)
    return ClosingReasonRead.model_validate(reason)


@router.delete(
    "/{closing_reason_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an unused, non-system closing reason (admin)",
)
async def delete_closing_reason(
    closing_reason_id: uuid.UUID, principal: AdminUser, session: Session
) -> Response:
    await closing_reason_service.delete(session, principal, closing_reason_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
