"""The sandbox phone's read API (C6). No user login: the page plays the customer, and is
authenticated like the connection's webhook (key in the path, the sandbox token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import FileResponse

from nexus.auth.dependencies import Session
from nexus.channels.sandbox import TOKEN_HEADER
from nexus.kit.errors import ErrorResponse
from nexus.kit.storage import LocalStorage
from nexus.messages.router import media_storage
from nexus.sandbox.schemas import SandboxChat
from nexus.sandbox.service import sandbox_service

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 404, 422)
}
router = APIRouter(prefix="/api/sandbox", tags=["sandbox"], responses=ERRORS)


@router.get(
    "/{webhook_key}/chat",
    response_model=SandboxChat,
    summary="The simulated phone's chat with the company (poll with the cursor)",
)
async def read_chat(
    webhook_key: str,
    session: Session,
    phone: Annotated[str, Query(max_length=32, description="The phone, E.164")],
    token: Annotated[str | None, Header(alias=TOKEN_HEADER)] = None,
    after: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> SandboxChat:
    access = await sandbox_service.access(session, webhook_key, token)
    return await sandbox_service.chat(session, access, phone, after=after, limit=limit)


@router.get(
    "/{webhook_key}/media/{message_id}",
    response_class=FileResponse,
    summary="A file of the simulated phone's chat (token in the query, for <img src>)",
)
async def read_media(
    webhook_key: str,
    message_id: str,
    session: Session,
    storage: Annotated[LocalStorage, Depends(media_storage)],
    token: str | None = None,
) -> FileResponse:
    access = await sandbox_service.access(session, webhook_key, token)
    media = await sandbox_service.media(session, storage, access, message_id)
    return FileResponse(
        media.path,
        media_type=media.mime_type,
        filename=media.filename,
        content_disposition_type="inline",
    )
