from __future__ import annotations

from fastapi import APIRouter

from nexus.auth.dependencies import AdminUser, CurrentUser, Session
from nexus.companies.repository import CompanyRepository
from nexus.companies.schemas import SettingsRead, SettingsUpdate
from nexus.companies.service import company_service
from nexus.kit.errors import ErrorResponse

router = APIRouter(
    prefix="/api/settings",
    tags=["settings"],
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)


@router.get("", response_model=SettingsRead, summary="The company's name, time zone and settings")
async def get_settings(principal: CurrentUser, session: Session) -> SettingsRead:
    company = await CompanyRepository(session, principal.company_id).current()
    return company_service.settings_read(company)


@router.patch(
    "",
    response_model=SettingsRead,
    summary="Update the company's settings; bot texts and rules merge (admin)",
)
async def update_settings(
    body: SettingsUpdate, principal: AdminUser, session: Session
) -> SettingsRead:
    company = await company_service.update_settings(session, principal, body)
    return company_service.settings_read(company)
