from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from nexus.auth.dependencies import AdminUser, CurrentUser, Session
from nexus.connections.repository import ConnectionRepository
from nexus.connections.schemas import (
    ConnectionAdminRead,
    ConnectionCreate,
    ConnectionRead,
    ConnectionUpdate,
)
from nexus.connections.service import connection_service
from nexus.kit.errors import ErrorResponse
from nexus.models import Connection

router = APIRouter(
    prefix="/api/connections",
    tags=["connections"],
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)


def _admin_read(request: Request, connection: Connection) -> ConnectionAdminRead:
    state = request.app.state
    return connection_service.to_admin_read(
        state.secret_box,
        state.settings.public_url,
        connection,
    )


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
