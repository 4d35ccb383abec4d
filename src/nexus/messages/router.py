from __future__ import annotations

import mimetypes
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile, status
from fastapi.responses import FileResponse

from nexus.auth.dependencies import CurrentUser, Session
from nexus.channels.mediatypes import base_mime
from nexus.conversations.schemas import ContactSummary
from nexus.kit.errors import ErrorResponse, ValidationFailed
from nexus.kit.pagination import Page, decode_time_cursor, encode_cursor, page_of
from nexus.kit.storage import LocalStorage
from nexus.messages.schemas import (
    MessageRead,
    MessageSearchHit,
    SendMedia,
    SendTemplate,
    SendText,
    Upload,
)
from nexus.messages.service import message_service

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 422)
}
router = APIRouter(tags=["messages"], responses=ERRORS)


CHUNK_BYTES = 1_048_576


def media_storage(request: Request) -> LocalStorage:
    return LocalStorage(request.app.state.settings.data_dir / "media")


async def read_upload(request: Request, file: UploadFile) -> Upload:
    """The uploaded file in memory, read in chunks so that no more than
    NEXUS_MAX_UPLOAD_BYTES is ever held, whatever the client claims its size is."""
    max_bytes: int = request.app.state.settings.max_upload_bytes
    chunks: list[bytes] = []
    size = 0
    while chunk := await file.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise ValidationFailed.field(
                "file",
                f"The file is larger than {max_bytes // 1_048_576} MB.",
                code="file_too_large",
            )
        chunks.append(chunk)
    if size == 0:
        raise ValidationFailed.field("file", "The file is empty.", code="empty_file")
    # Browsers send application/octet-stream (or nothing) for types they do not know: the
    # file name is then the better hint; failing that, the file is sent as a document.
    mime_type = base_mime(file.content_type or "")
    if mime_type in ("", "application/octet-stream"):
        mime_type = mimetypes.guess_type(file.filename or "")[0] or "application/octet-stream"
    return Upload(data=b"".join(chunks), mime_type=mime_type, filename=file.filename or "file")


@router.get(
    "/api/conversations/{conversation_id}/messages",
    response_model=Page[MessageRead],
    summary="A conversation's messages, newest first (cursor pagination)",
)
async def list_messages(
    conversation_id: uuid.UUID,
    principal: CurrentUser,
    session: Session,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: str | None = None,
) -> Page[MessageRead]:
    rows = await message_service.history(
        session, principal, conversation_id, limit=limit, before=decode_time_cursor(cursor)
    )
    items, next_cursor = page_of(rows, limit, lambda m: encode_cursor(m.created_at, m.id))
    return Page(items=[MessageRead.model_validate(m) for m in items], next_cursor=next_cursor)


@router.post(
    "/api/messages/send",
    response_model=MessageRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a text (delivered in the background; statuses follow)",
)
async def send_message(body: SendText, principal: CurrentUser, session: Session) -> MessageRead:
    message = await message_service.send_text(
        session,
        principal,
        body.conversation_id,
        body.content,
        idempotency_key=body.idempotency_key,
        reply_to_id=body.reply_to_id,
    )
    return MessageRead.model_validate(message)


@router.post(
    "/api/messages/send-media",
    response_model=MessageRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a file (multipart; type and size checked against the channel's limits)",
)
async def send_media(
    form: Annotated[SendMedia, Form(media_type="multipart/form-data")],
    request: Request,
    principal: CurrentUser,
    session: Session,
    storage: Annotated[LocalStorage, Depends(media_storage)],
) -> MessageRead:
    upload = await read_upload(request, form.file)
    message = await message_service.send_media(
        session,
        storage,
        principal,
        form.conversation_id,
        upload,
        caption=form.caption,
        idempotency_key=form.idempotency_key,
        reply_to_id=form.reply_to_id,
    )
    return MessageRead.model_validate(message)


@router.post(
    "/api/messages/send-template",
    response_model=MessageRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send an approved template (Cloud API; also outside the 24-hour window)",
)
async def send_template(
    body: SendTemplate, principal: CurrentUser, session: Session
) -> MessageRead:
    message = await message_service.send_template(session, principal, body)
    return MessageRead.model_validate(message)


@router.get(
    "/api/messages/search",
    response_model=Page[MessageSearchHit],
    summary="Messages containing every word of q (as word prefixes) in the conversations the "
    "user may see, newest first (cursor pagination)",
)
async def search_messages(
    principal: CurrentUser,
    session: Session,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    conversation_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: str | None = None,
) -> Page[MessageSearchHit]:
    rows = await message_service.search(
        session,
        principal,
        q,
        conversation_id=conversation_id,
        limit=limit,
        before=decode_time_cursor(cursor),
    )
    items, next_cursor = page_of(
        rows, limit, lambda row: encode_cursor(row[0].created_at, row[0].id)
    )
    return Page(
        items=[
            MessageSearchHit(
                message=MessageRead.model_validate(message),
                contact=ContactSummary.model_validate(contact),
            )
            for message, contact in items
        ],
        next_cursor=next_cursor,
    )


@router.get(
    "/api/messages/{message_id}/media",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
    summary="The stored file of a message (fetched with the bearer token, not by <img src>)",
)
async def read_message_media(
    message_id: uuid.UUID,
    principal: CurrentUser,
    session: Session,
    storage: Annotated[LocalStorage, Depends(media_storage)],
) -> FileResponse:
    media = await message_service.stored_media(session, storage, principal, message_id)
    return FileResponse(
        media.path,
        media_type=media.mime_type,
        filename=media.filename,
        content_disposition_type="inline",
    )


@router.post(
    "/api/messages/{message_id}/resend",
    response_model=MessageRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a failed message again",
)
async def resend_message(
    message_id: uuid.UUID, principal: CurrentUser, session: Session
) -> MessageRead:
    message = await message_service.resend(session, principal, message_id)
    return MessageRead.model_validate(message)


@router.post(
    "/api/conversations/{conversation_id}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Mark the conversation as read by the agent",
)
async def mark_conversation_read(
    conversation_id: uuid.UUID, principal: CurrentUser, session: Session
) -> None:
    await message_service.mark_read(session, principal, conversation_id)
