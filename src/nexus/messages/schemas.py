from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import UploadFile
from pydantic import BaseModel, Field

from nexus.conversations.schemas import ContactSummary
from nexus.kit.schemas import ReadModel, StrictBody
from nexus.models import MessageDirection, MessageStatus, MessageType


class MessageRead(ReadModel):
    id: uuid.UUID
    conversation_id: uuid.UUID
    direction: MessageDirection
    type: MessageType
    content: str | None
    media: dict[str, Any] | None
    payload: dict[str, Any]
    status: MessageStatus
    error_code: str | None
    error_message: str | None
    sender_id: uuid.UUID | None
    is_bot: bool
    reply_to_id: uuid.UUID | None
    provider_message_id: str | None
    idempotency_key: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None


class MessageSearchHit(BaseModel):
    """A message that matched a search, with the customer of its conversation."""

    message: MessageRead
    contact: ContactSummary


class SendText(StrictBody):
    conversation_id: uuid.UUID
    content: str = Field(min_length=1, max_length=4096)
    # Chosen by the client, so that a retried POST (flaky network) never sends twice.
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=100)
    reply_to_id: uuid.UUID | None = None


class SendMedia(StrictBody):
    """The multipart form of an agent's file upload."""

    conversation_id: uuid.UUID
    file: UploadFile
    caption: str | None = Field(default=None, max_length=4096)
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=100)
    reply_to_id: uuid.UUID | None = None


class SendTemplate(StrictBody):
    conversation_id: uuid.UUID
    template_name: str = Field(min_length=1, max_length=512)
    language: str = Field(default="pt_BR", min_length=2, max_length=15)
    components: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    # What the agents see in the chat for this message (templates are rendered by Meta).
    preview: str | None = Field(default=None, max_length=4096)
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=100)


@dataclass(frozen=True)
class Upload:
    data: bytes
    mime_type: str
    filename: str
