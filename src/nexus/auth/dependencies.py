"""Who is calling: the ``Principal`` of a request, and the one role check every route uses."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.kit.errors import Forbidden, Unauthorized
from nexus.kit.security import decode_access_token
from nexus.kit.web import get_session
from nexus.models import User, UserRole

bearer_scheme = HTTPBearer(auto_error=False, description="The access token from /api/auth/login.")

Session = Annotated[AsyncSession, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class Principal:
    user: User
    ip_address: str | None

    @property
    def id(self) -> uuid.UUID:
        return self.user.id

    @property
    def company_id(self) -> uuid.UUID:
        return self.user.company_id

    @property
    def role(self) -> UserRole:
        return self.user.role

    @property
    def is_admin(self) -> bool:
        return self.user.role is UserRole.admin

    @property
    def is_supervisor(self) -> bool:
        return self.user.role is UserRole.supervisor


async def load_user_for_token(session: AsyncSession, token: str, secret: str) -> User:
    """Decode an access token and return its active user (shared with the socket gateway)."""
    claims = decode_access_token(token, secret=secret)
    user = (
        await session.execute(
            select(User).where(User.id == claims.user_id, User.company_id == claims.company_id)
        )
    ).scalar_one_or_none()
    if user is None or not user.is_active:
        raise Unauthorized("This account is not active.", code="inactive_account")
    return user


async def authenticated(
    request: Request,
    session: Session,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized(headers={"WWW-Authenticate": "Bearer"})
    state = request.app.state
    user = await load_user_for_token(session, credentials.credentials, state.settings.secret_key)
    await state.rate_limiter.check_or_raise(state.settings.rate_limit_user, "user", str(user.id))
    structlog.contextvars.bind_contextvars(company_id=str(user.company_id), user_id=str(user.id))
    return Principal(user=user, ip_address=request.client.host if request.client else None)


def require_roles(*roles: UserRole) -> Callable[..., Awaitable[Principal]]:
    """The role check: a route names the roles it admits, everyone else gets 403."""

    async def check(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden("Your role does not allow this action.", code="role_forbidden")
        return principal

    return check


CurrentUser = Annotated[Principal, Depends(authenticated)]
AdminUser = Annotated[Principal, Depends(require_roles(UserRole.admin))]
SupervisorUser = Annotated[Principal, Depends(require_roles(UserRole.admin, UserRole.supervisor))]
