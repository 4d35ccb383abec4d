from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from nexus.auth.dependencies import CurrentUser, Session
from nexus.kit.errors import ErrorResponse
from nexus.kit.pagination import (
    Page,
    decode_cursor,
    encode_cursor,
    page_of,
    parse_cursor_datetime,
    parse_cursor_uuid,
)
from nexus.kit.storage import LocalStorage
from nexus.messages.schemas import MessageRead, SendText
from nexus.messages.service import message_service

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 422)
}
router = APIRouter(tags=["messages"], responses=ERRORS)


def media_storage(request: Request) -> LocalStorage:
    return LocalStorage(request.app.state.settings.data_dir / "media")


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
    before = None
    if cursor:
        at, id = decode_cursor(cursor, size=2)
        before = (parse_cursor_datetime(at), parse_cursor_uuid(id))
    rows = await message_service.history(
        session, principal, conversation_id, limit=limit, before=before
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
