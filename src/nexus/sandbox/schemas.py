from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from nexus.models import MessageDirection, MessageStatus, MessageType


class SandboxMedia(BaseModel):
    # Relative URL of the file, token included so that <img src> and <a href> work; null
    # while the file is not stored yet.
    url: str | None
    mime_type: str | None
    filename: str | None


class SandboxChatItem(BaseModel):
    # The provider id: what the phone sent, or the ``sbx_…`` id of a company message (the
    # one the phone names in its status receipts).
    id: str
    # From the company's point of view: "inbound" was sent by the phone.
    direction: MessageDirection
    type: MessageType
    text: str | None
    media: SandboxMedia | None
    # What the phone renders besides the text: the menu options of a bot list/buttons
    # ("menu"), a location, shared contacts, a reaction, the option the phone picked.
    payload: dict[str, Any] | None
    status: MessageStatus
    is_bot: bool
    sender_name: str | None
    created_at: datetime


class SandboxChat(BaseModel):
    # Oldest first; with ``after``, only what was created or changed since that cursor.
    items: list[SandboxChatItem]
    # Pass as ``after`` on the next poll.
    cursor: str
