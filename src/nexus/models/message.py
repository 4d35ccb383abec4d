from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import TenantModel, str_enum


class MessageDirection(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


class MessageType(StrEnum):
    text = "text"
    image = "image"
    video = "video"
    audio = "audio"
    voice = "voice"
    document = "document"
    sticker = "sticker"
    location = "location"
    contacts = "contacts"
    reaction = "reaction"
    template = "template"
    interactive = "interactive"
    system = "system"
    unsupported = "unsupported"


class MessageStatus(StrEnum):
    """Ordered: a status only ever moves to a higher rank (``failed`` is terminal)."""

    pending = "pending"
    sending = "sending"
    unknown = "unknown"
    sent = "sent"
    delivered = "delivered"
    read = "read"
    failed = "failed"
    received = "received"


class Message(TenantModel):
    __tablename__ = "messages"
    __table_args__ = (
        # A provider's redelivery of the same message is absorbed here (M4).
        UniqueConstraint("connection_id", "provider_message_id"),
        # A retried POST with the same key creates no second message.
        UniqueConstraint("conversation_id", "idempotency_key"),
        Index(None, "company_id", "conversation_id", "created_at", "id"),
        Index(None, "company_id", "contact_id", "created_at"),
        Index(None, "status", "next_attempt_at"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None
    )
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL"), default=None
    )
    direction: Mapped[MessageDirection] = mapped_column(str_enum(MessageDirection))
    type: Mapped[MessageType] = mapped_column(str_enum(MessageType), default=MessageType.text)
    content: Mapped[str | None] = mapped_column(Text, default=None)
    # {"storage_key", "mime_type", "size", "filename", "url"} once downloaded into our storage.
    media: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # Location, contacts, template parameters, interactive payloads, reactions …
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[MessageStatus] = mapped_column(
        str_enum(MessageStatus), default=MessageStatus.pending
    )
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    provider_message_id: Mapped[str | None] = mapped_column(String(255), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), default=None)
    sender_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    is_bot: Mapped[bool] = mapped_column(default=False)
    reply_to_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    reply_to_provider_id: Mapped[str | None] = mapped_column(String(255), default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    provider_timestamp: Mapped[datetime | None] = mapped_column(default=None)
