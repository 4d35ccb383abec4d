from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from nexus.auth.dependencies import AdminUser, CurrentUser, Session
from nexus.closing_reasons.repository import ClosingReasonRepository
from nexus.closing_reasons.schemas import (
    ClosingReasonCreate,
    ClosingReasonRead,
    ClosingReasonUpdate,
)
from nexus.closing_reasons.service import closing_reason_service
from nexus.kit.routes import ERROR_RESPONSES, ResourceRoutes, by_id
from nexus.models import ClosingReason

router = APIRouter(
    prefix="/api/closing-reasons", tags=["closing-reasons"], responses=ERROR_RESPONSES
)


async def _closing_reasons(
    principal: CurrentUser, session: Session, is_active: bool | None = None
) -> Sequence[ClosingReason]:
    return await ClosingReasonRepository(session, principal.company_id).search(is_active=is_active)


routes = ResourceRoutes(
    router,
    name="closing_reason",
    plural="closing_reasons",
    read=ClosingReasonRead,
    editor=AdminUser,
)
routes.add_list(_closing_reasons, summary="List the closing reasons")
routes.add_create(
    ClosingReasonCreate, closing_reason_service.create, summary="Create a closing reason (admin)"
)
routes.add_get(by_id(ClosingReasonRepository), summary="One closing reason")
routes.add_update(
    ClosingReasonUpdate,
    closing_reason_service.update,
    summary="Update a closing reason; system ones keep their name (admin)",
)
routes.add_delete(
    closing_reason_service.delete,
    summary="Delete an unused, non-system closing reason (admin)",
)
