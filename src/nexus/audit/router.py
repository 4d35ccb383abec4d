from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from nexus.audit.schemas import AuditEntryRead, ChainReport
from nexus.audit.service import audit
from nexus.auth.dependencies import AdminUser, Session, SupervisorUser
from nexus.kit.errors import ErrorResponse
from nexus.kit.pagination import Page, page_of

router = APIRouter(
    prefix="/api/audit",
    tags=["audit"],
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)


@router.get(
    "",
    response_model=Page[AuditEntryRead],
    summary="The company's audit log, newest first (admin, supervisor)",
)
async def list_audit_entries(
    principal: SupervisorUser,
    session: Session,
    action: Annotated[str | None, Query(max_length=80, description="Action prefix")] = None,
    actor_id: uuid.UUID | None = None,
    target_type: Annotated[str | None, Query(max_length=60)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    before: Annotated[
        int | None, Query(ge=1, description="The next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[AuditEntryRead]:
    rows = await audit.list_entries(
        session,
        principal.company_id,
        action=action,
        actor_id=actor_id,
        target_type=target_type,
        target_id=target_id,
        since=since,
        until=until,
        before_sequence=before,
        limit=limit,
    )
    items, next_cursor = page_of(rows, limit, lambda entry: str(entry.sequence))
    return Page(
        items=[AuditEntryRead.model_validate(entry) for entry in items], next_cursor=next_cursor
    )


@router.get(
    "/verify",
    response_model=ChainReport,
    summary="Check that the audit chain has not been tampered with (admin)",
)
async def verify_audit_chain(principal: AdminUser, session: Session) -> ChainReport:
    return await audit.chain_report(session, principal.company_id)
