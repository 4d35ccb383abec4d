from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from nexus.auth.dependencies import CurrentUser, Session
from nexus.kit.errors import ErrorResponse
from nexus.realtime import service
from nexus.realtime.schemas import EventsPage

router = APIRouter(
    prefix="/api/events",
    tags=["realtime"],
    responses={401: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)


@router.get(
    "",
    response_model=EventsPage,
    summary="Real-time events missed since a cursor (resync after reconnect)",
)
async def events_after(
    principal: CurrentUser,
    session: Session,
    after: Annotated[
        int | None,
        Query(
            ge=0,
            description="The last seq the client has; without it, only the current cursor "
            "is returned (take it before loading the lists).",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> EventsPage:
    return await service.events_after(session, principal, after, limit)
