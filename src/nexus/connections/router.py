from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response, status

from nexus.auth.dependencies import AdminUser, CurrentUser, Principal, Session
from nexus.connections.repository import ConnectionRepository
from nexus.connections.schemas import (
    ConnectionAdminRead,
    ConnectionCreate,
    ConnectionQr,
    ConnectionRead,
    ConnectionSyncResult,
    ConnectionUpdate,
)
from nexus.connections.service import connection_service
from nexus.connections.sessions import connection_sessions
from nexus.kit.db import Database, commit
from nexus.kit.errors import ErrorResponse
from nexus.kit.routes import ERROR_RESPONSES
from nexus.models import Connection

router = APIRouter(prefix="/api/connections", tags=["connections"], responses=ERROR_RESPONSES)

T = TypeVar("T")


def _admin_read(request: Request, connection: Connection) -> ConnectionAdminRead:
    state = request.app.state
    return connection_service.to_admin_read(
        state.secret_box,
        state.settings.public_url,
        connection,
    )


async def _admin_between_transactions(principal: AdminUser, session: Session) -> Principal:
    """The admin, with the request's transaction over: loading them began it (on SQLite
    with the write lock), and the action that follows waits on a provider, between short
    transactions of its own."""
    await commit(session)
    return principal


ProviderAdmin = Annotated[Principal, Depends(_admin_between_transactions)]


@dataclass
class _ProviderAction:
    """A provider action route's connection (from the path), request and admin. Calling it
    runs a ``connection_sessions`` action on them, which opens its own short transactions
    around the provider's call, and answers with what the action returns."""

    connection_id: uuid.UUID
    request: Request
    principal: ProviderAdmin

    async def __call__(self, action: Callable[[Database, Principal, uuid.UUID], Awaitable[T]]) -> T:
        return await action(self.request.app.state.database, self.principal, self.connection_id)


ProviderAction = Annotated[_ProviderAction, Depends()]


@router.get(
    "",
    response_model=list[ConnectionRead],
    summary="The company's connections (names and live status)",
)
async def list_connections(principal: CurrentUser, session: Session) -> list[ConnectionRead]:
    connections = await ConnectionRepository(session, principal.company_id).list()
    return [connection_service.to_read(c) for c in connections]


@router.post(
    "",
    response_model=ConnectionAdminRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a connection (admin)",
)
async def create_connection(
    body: ConnectionCreate, request: Request, principal: AdminUser, session: Session
) -> ConnectionAdminRead:
    connection = await connection_service.create(
        session, request.app.state.secret_box, principal, body
    )
    return _admin_read(request, connection)


@router.get(
    "/{connection_id}",
    response_model=ConnectionAdminRead,
    summary="One connection with its webhook URL and settings (admin)",
)
async def get_connection(
    connection_id: uuid.UUID, request: Request, principal: AdminUser, session: Session
) -> ConnectionAdminRead:
    connection = await ConnectionRepository(session, principal.company_id).get_or_404(connection_id)
    return _admin_read(request, connection)


@router.patch(
    "/{connection_id}",
    response_model=ConnectionAdminRead,
    summary="Update a connection's name, settings or secrets (admin)",
)
async def update_connection(
    connection_id: uuid.UUID,
    body: ConnectionUpdate,
    request: Request,
    principal: AdminUser,
    session: Session,
) -> ConnectionAdminRead:
    connection = await connection_service.update(
        session, request.app.state.secret_box, principal, connection_id, body
    )
    return _admin_read(request, connection)


@router.delete(
    "/{connection_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an unused connection (admin)",
)
async def delete_connection(
    connection_id: uuid.UUID, principal: AdminUser, session: Session
) -> Response:
    await connection_service.delete(session, principal, connection_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


_PROVIDER_ERROR: dict[int | str, dict[str, Any]] = {
    502: {"model": ErrorResponse, "description": "The provider refused or failed"}
}


@router.post(
    "/{connection_id}/start",
    response_model=ConnectionAdminRead,
    responses=_PROVIDER_ERROR,
    summary="Start a connection at its provider and register our webhook (admin)",
    description=(
        "WAHA and Evolution start (or create) the session with Nexus's webhook URL; a "
        "Telegram bot gets the URL and secret through setWebhook; a Cloud API number has its "
        "credentials verified. Also restarts a connection parked as failed."
    ),
)
async def start_connection(act: ProviderAction) -> ConnectionAdminRead:
    return _admin_read(act.request, await act(connection_sessions.start))


@router.post(
    "/{connection_id}/stop",
    response_model=ConnectionAdminRead,
    responses=_PROVIDER_ERROR,
    summary="Stop a WhatsApp Web session, keeping its pairing (admin)",
)
async def stop_connection(act: ProviderAction) -> ConnectionAdminRead:
    return _admin_read(act.request, await act(connection_sessions.stop))


@router.post(
    "/{connection_id}/logout",
    response_model=ConnectionAdminRead,
    responses=_PROVIDER_ERROR,
    summary="Unlink the phone from a WhatsApp Web session (admin)",
)
async def logout_connection(act: ProviderAction) -> ConnectionAdminRead:
    return _admin_read(act.request, await act(connection_sessions.logout))


@router.get(
    "/{connection_id}/qr",
    response_model=ConnectionQr,
    responses=_PROVIDER_ERROR,
    summary="The QR code to scan while the session waits for a phone (admin)",
)
async def connection_qr(act: ProviderAction) -> ConnectionQr:
    return await act(connection_sessions.qr)


@router.post(
    "/{connection_id}/sync",
    response_model=ConnectionSyncResult,
    responses=_PROVIDER_ERROR,
    summary="Import the phone's contacts and groups, without duplicates (admin)",
)
async def sync_connection(act: ProviderAction) -> ConnectionSyncResult:
    return await act(connection_sessions.sync)
