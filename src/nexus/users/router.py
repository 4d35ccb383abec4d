from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from nexus.auth.dependencies import AdminUser, CurrentUser, Session
from nexus.kit.errors import ErrorResponse
from nexus.models import UserRole
from nexus.users.repository import UserRepository
from nexus.users.schemas import PresenceUpdate, UserCreate, UserRead, UserUpdate
from nexus.users.service import user_service

router = APIRouter(
    prefix="/api/users",
    tags=["users"],
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)


@router.get("", response_model=list[UserRead], summary="List the company's users")
async def list_users(
    principal: CurrentUser,
    session: Session,
    role: UserRole | None = None,
    is_active: bool | None = None,
    department_id: uuid.UUID | None = None,
    search: Annotated[str | None, Query(max_length=100)] = None,
) -> list[UserRead]:
    users = await UserRepository(session, principal.company_id).search(
        role=role, is_active=is_active, department_id=department_id, search=search
    )
    return await user_service.to_read_many(session, users)


@router.post(
    "",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a user (admin)",
)
async def create_user(body: UserCreate, principal: AdminUser, session: Session) -> UserRead:
    user = await user_service.create(session, principal, body)
    return await user_service.to_read(session, user)


@router.patch("/me/status", response_model=UserRead, summary="Set my presence")
async def set_my_status(body: PresenceUpdate, principal: CurrentUser, session: Session) -> UserRead:
    user = await user_service.set_presence(session, principal, body.status)
    return await user_service.to_read(session, user)


@router.get("/{user_id}", response_model=UserRead, summary="One user")
async def get_user(user_id: uuid.UUID, principal: CurrentUser, session: Session) -> UserRead:
    user = await UserRepository(session, principal.company_id).get_or_404(user_id)
    return await user_service.to_read(session, user)


@router.patch("/{user_id}", response_model=UserRead, summary="Update a user (admin)")
async def update_user(
    user_id: uuid.UUID, body: UserUpdate, principal: AdminUser, session: Session
) -> UserRead:
    user = await user_service.update(session, principal, user_id, body)
    return await user_service.to_read(session, user)


@router.delete("/{user_id}", response_model=UserRead, summary="Deactivate a user (admin)")
async def deactivate_user(user_id: uuid.UUID, principal: AdminUser, session: Session) -> UserRead:
    user = await user_service.deactivate(session, principal, user_id)
    return await user_service.to_read(session, user)
