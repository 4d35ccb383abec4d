"""The simulated customer phone's own API (C6): what a phone on the sandbox channel shows.

The phone sends through the connection's webhook (``channels/sandbox.py``); here it reads
its chat with the company. It is authenticated exactly like that webhook — the key in the
URL names the connection, the ``X-Sandbox-Token`` proves the caller — because the page
plays the customer, not a user of the company.

The page polls. A simulated phone is one browser tab, so a cheap keyset query every second
is simpler than a customer-side real-time channel, and it survives restarts with no state.
The cursor is a position in the chat's change feed, ``(updated_at, id)``: a new message
and a status that moved both bump ``updated_at``. Timestamps are taken before commit, so
a transaction that commits late can land behind a cursor already handed out; a caught-up
cursor therefore never passes ``now - SETTLE``, and the page replaces items by id, which
makes those few repeated items harmless.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.channels.errors import WebhookRejected
from nexus.channels.phones import to_e164
from nexus.channels.sandbox import TOKEN_HEADER
from nexus.connections.adapters import adapter_of
from nexus.connections.repository import connection_by_webhook_key
from nexus.kit.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from nexus.kit.models import utc_now
from nexus.kit.pagination import (
    decode_cursor,
    encode_cursor,
    parse_cursor_datetime,
    parse_cursor_uuid,
)
from nexus.kit.storage import LocalStorage
from nexus.models import ChannelKind, Connection, Message
from nexus.sandbox.repository import SandboxRepository
from nexus.sandbox.schemas import SandboxChat, SandboxChatItem, SandboxMedia

# Longer than any write transaction takes from stamping a row to committing it.
SETTLE = timedelta(seconds=3)
_FIRST_ID = uuid.UUID(int=0)
# The parts of a message's payload a phone renders (the rest is the agents' business).
_SHOWN_PAYLOAD = ("menu", "location", "contacts", "reaction", "interactive_reply")

Key = tuple[datetime, uuid.UUID]


@dataclass(frozen=True)
class PhoneAccess:
    connection: Connection
    token: str


@dataclass(frozen=True)
class MediaFile:
    path: Path
    mime_type: str
    filename: str | None


class SandboxService:
    async def access(self, session: AsyncSession, key: str, token: str | None) -> PhoneAccess:
        """The sandbox connection of ``key``, if ``token`` is its webhook token."""
        connection = await connection_by_webhook_key(session, key)
        if connection is None or connection.channel is not ChannelKind.sandbox:
            raise NotFound("Unknown sandbox phone.", code="unknown_sandbox")
        try:
            adapter_of(connection).verify_webhook({TOKEN_HEADER: token or ""}, b"", {})
        except WebhookRejected as error:
            if error.status_code == 401:
                raise Unauthorized("The sandbox token is missing.", code="missing_token") from error
            raise Forbidden("The sandbox token is wrong.", code="invalid_token") from error
        return PhoneAccess(connection, token or "")

    async def chat(
        self,
        session: AsyncSession,
        access: PhoneAccess,
        phone: str,
        *,
        after: str | None,
        limit: int,
    ) -> SandboxChat:
        number = to_e164(phone)
        if number is None:
            raise ValidationFailed.field("phone", "Not a phone number.")
        start = _key_of(after) if after else None
        connection = access.connection
        rows = await SandboxRepository(session, connection.company_id).chat_changes(
            connection.id, number, after=start, limit=limit
        )
        page = list(rows[:limit])
        if len(rows) > limit:
            cursor: Key = (page[-1][0].updated_at, page[-1][0].id)
        else:
            reached = (page[-1][0].updated_at, page[-1][0].id) if page else start
            settled = (utc_now() - SETTLE, _FIRST_ID)
            cursor = min(reached, settled) if reached else settled
        page.sort(key=lambda row: (row[0].created_at, row[0].id))
        return SandboxChat(
            items=[_item(access, message, name) for message, name in page],
            cursor=encode_cursor(*cursor),
        )

    async def media(
        self, session: AsyncSession, storage: LocalStorage, access: PhoneAccess, message_id: str
    ) -> MediaFile:
        connection = access.connection
        message = await SandboxRepository(session, connection.company_id).by_provider_id(
            connection.id, message_id
        )
        media = message.media if message is not None else None
        if not media or not media.get("storage_key"):
            raise NotFound("No stored file for this message.", code="media_not_found")
        return MediaFile(
            path=storage.path(media["storage_key"]),
            mime_type=media.get("mime_type") or "application/octet-stream",
            filename=media.get("filename"),
        )


def _key_of(cursor: str) -> Key:
    at, id = decode_cursor(cursor, size=2, field="after")
    moment = parse_cursor_datetime(at, field="after")
    if moment.tzinfo is None:
        raise ValidationFailed.field("after", "Invalid cursor.")
    return moment, parse_cursor_uuid(id, field="after")


def _item(access: PhoneAccess, message: Message, sender_name: str | None) -> SandboxChatItem:
    provider_id = message.provider_message_id
    assert provider_id is not None  # the repository returns only messages that have one
    media: SandboxMedia | None = None
    if message.media:
        url = None
        if message.media.get("storage_key"):
            url = (
                f"/api/sandbox/{quote(access.connection.webhook_key)}/media/"
                f"{quote(provider_id, safe='')}?token={quote(access.token, safe='')}"
            )
        media = SandboxMedia(
            url=url,
            mime_type=message.media.get("mime_type"),
            filename=message.media.get("filename"),
        )
    shown: dict[str, Any] = {k: v for k, v in message.payload.items() if k in _SHOWN_PAYLOAD}
    return SandboxChatItem(
        id=provider_id,
        direction=message.direction,
        type=message.type,
        text=message.content,
        media=media,
        payload=shown or None,
        status=message.status,
        is_bot=message.is_bot,
        sender_name=sender_name,
        created_at=message.created_at,
    )


sandbox_service = SandboxService()
