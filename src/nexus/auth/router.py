"""Thin HTTP layer over ``AuthService``.

Login, refresh and logout run their own transaction instead of the request session: a
failed login or a detected token reuse must be recorded (audit row, revoked family) even
though the answer is a 401, and an error raised inside the request session rolls it back.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.auth.dependencies import CurrentUser, Session
from nexus.auth.schemas import LoginRequest, SignupRequest, TokenResponse
from nexus.auth.service import ClientInfo, auth_service
from nexus.auth.service import Session as AuthSession
from nexus.config import Settings
from nexus.kit.errors import ErrorResponse, Forbidden, Unauthorized
from nexus.users.schemas import UserRead
from nexus.users.service import user_service

router = APIRouter(prefix="/api/auth", tags=["auth"])

REFRESH_COOKIE = "nexus_refresh"
REFRESH_COOKIE_PATH = "/api/auth"
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse},
    429: {"model": ErrorResponse},
}


def _client(request: Request) -> ClientInfo:
    return ClientInfo(
        ip_address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _token_response(
    session: AsyncSession, settings: Settings, response: Response, result: AuthSession
) -> TokenResponse:
    response.set_cookie(
        REFRESH_COOKIE,
        result.refresh_token,
        max_age=settings.refresh_token_days * 86400,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
    )
    user = await user_service.to_read(session, result.user)
    return TokenResponse(
        access_token=result.access_token, expires_at=result.access_expires_at, user=user
    )


@router.post(
    "/signup",
    response_model=TokenResponse,
    status_code=status.HTTP_201_CREATED,
    responses={403: {"model": ErrorResponse}, 409: {"model": ErrorResponse}},
    summary="Create a company and its first admin",
)
async def signup(
    body: SignupRequest, request: Request, response: Response, session: Session
) -> TokenResponse:
    settings = _settings(request)
    if not settings.signup_enabled:
        raise Forbidden("Sign-up is disabled on this installation.", code="signup_disabled")
    await request.app.state.rate_limiter.check_or_raise(
        settings.rate_limit_login_ip, "signup-ip", _client(request).ip_address or "unknown"
    )
    result = await auth_service.signup(
        session,
        settings,
        company_name=body.company_name,
        name=body.name,
        email=str(body.email),
        password=body.password,
        client=_client(request),
    )
    return await _token_response(session, settings, response, result)


@router.post(
    "/login",
    response_model=TokenResponse,
    responses=ERRORS,
    summary="Sign in with e-mail and password",
)
async def login(body: LoginRequest, request: Request, response: Response) -> TokenResponse:
    settings = _settings(request)
    limiter = request.app.state.rate_limiter
    client = _client(request)
    email = str(body.email).lower()
    await limiter.check_or_raise(settings.rate_limit_login_ip, "login-ip", client.ip_address or "")
    await limiter.check_or_raise(settings.rate_limit_login_account, "login-account", email)
    async with request.app.state.database.write() as session:
        result = await auth_service.login(
            session, settings, email=email, password=body.password, client=client
        )
        answer = await _token_response(session, settings, response, result) if result else None
    if answer is None:
        raise Unauthorized("Invalid e-mail or password.", code="invalid_credentials")
    # A successful sign-in forgives the account's earlier failures.
    await limiter.clear(settings.rate_limit_login_account, "login-account", email)
    return answer


@router.post(
    "/refresh",
    response_model=TokenResponse,
    responses=ERRORS,
    summary="Exchange the refresh cookie for a new access token",
)
async def refresh(request: Request, response: Response) -> TokenResponse:
    token = request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise Unauthorized("No session.", code="no_refresh_token")
    settings = _settings(request)
    async with request.app.state.database.write() as session:
        result = await auth_service.refresh(session, settings, token=token, client=_client(request))
        answer = await _token_response(session, settings, response, result) if result else None
    if answer is None:
        response.delete_cookie(REFRESH_COOKIE, path=REFRESH_COOKIE_PATH)
        raise Unauthorized(
            "The session has ended; sign in again.",
            code="session_expired",
            headers={"set-cookie": response.headers["set-cookie"]},
        )
    return answer


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End the session")
async def logout(request: Request, response: Response) -> Response:
    token = request.cookies.get(REFRESH_COOKIE)
    if token:
        async with request.app.state.database.write() as session:
            await auth_service.logout(session, token=token)
    response.status_code = status.HTTP_204_NO_CONTENT
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_COOKIE_PATH)
    return response


@router.get("/me", response_model=UserRead, responses=ERRORS, summary="The signed-in user")
async def me(principal: CurrentUser, session: Session) -> UserRead:
    return await user_service.to_read(session, principal.user)
