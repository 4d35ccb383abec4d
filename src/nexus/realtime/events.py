"""What the server sends over the socket: one model per event (docs/realtime.md).

Payloads stay small — ids and a summary — so a busy company's fan-out stays cheap; the
client fetches anything larger over REST. Every event except ``typing`` is logged and
carries ``seq``, the company's event number, which is the client's resync cursor.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from nexus.conversations.schemas import NoteRead
from nexus.models import (
    ChannelKind,
    ConnectionStatus,
    ConversationStatus,
    MessageDirection,
    MessageStatus,
    MessageType,
    PresenceStatus,
    Priority,
)


class EventName(StrEnum):
    message_received = "message-received"
    message_sent = "message-sent"
    message_status = "message-status"
    message_updated = "message-updated"
    conversation_created = "conversation-created"
    conversation_assigned = "conversation-assigned"
    conversation_queued = "conversation-queued"
    conversation_transferred = "conversation-transferred"
    conversation_resolved = "conversation-resolved"
    conversation_updated = "conversation-updated"
    note_added = "note-added"
    agent_status = "agent-status"
    connection_status = "connection-status"
    notification = "notification"
    typing = "typing"


class ServerEvent(BaseModel):
    """A logged event. ``seq`` is given when the publishing transaction commits."""

    seq: int = 0


class ConversationSummary(BaseModel):
    """Enough to place the conversation in the inbox lists without a request."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: ConversationStatus
    department_id: uuid.UUID | None
    assignee_id: uuid.UUID | None
    contact_id: uuid.UUID
    connection_id: uuid.UUID | None
    priority: Priority
    unread_count: int
    last_message_preview: str | None
    last_message_at: datetime | None


class MessageSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    conversation_id: uuid.UUID
    direction: MessageDirection
    type: MessageType
    content: str | None
    # A reference to the stored file (key, MIME type, size), never the bytes.
    media: dict[str, Any] | None
    status: MessageStatus
    sender_id: uuid.UUID | None
    is_bot: bool
    reply_to_id: uuid.UUID | None
    created_at: datetime

    @field_validator("media", mode="before")
    @classmethod
    def _reference_only(cls, media: dict[str, Any] | None) -> dict[str, Any] | None:
        # A file still being downloaded carries the provider's descriptor, whose URL can
        # be a whole data: URL (sandbox); the socket gets what REST serves the file by.
        if media is None:
            return None
        known = {**media.get("descriptor", {}), **media}
        return {key: known[key] for key in _MEDIA_REFERENCE if known.get(key) is not None}


_MEDIA_REFERENCE = ("storage_key", "mime_type", "filename", "size", "state")


class MessageReceived(ServerEvent):
    """A customer's message arrived."""

    conversation: ConversationSummary
    message: MessageSummary


class MessageSent(ServerEvent):
    """An agent (or the bot) sent a message; it starts ``pending``."""

    conversation: ConversationSummary
    message: MessageSummary


class MessageStatusChanged(ServerEvent):
    """A delivery receipt moved a message forward (sent, delivered, read) or failed it."""

    conversation_id: uuid.UUID
    message_id: uuid.UUID
    status: MessageStatus
    error_code: str | None = None
    error_message: str | None = None


MessageChange = Literal["media", "content", "revoked", "reactions"]

# The keys of a message's ``payload`` that change after it is shown (``MessageRead.payload``).
LIVE_PAYLOAD_KEYS = ("edits", "revoked", "revoked_at", "reactions")


class MessageUpdated(ServerEvent):
    """A message already shown changed: its file was stored (or failed to download), the
    customer edited or deleted it, or a reaction to it changed."""

    message: MessageSummary
    changed: list[MessageChange]
    # ``LIVE_PAYLOAD_KEYS`` of the message's payload, as REST's ``MessageRead.payload`` has
    # them: previous texts (``edits``), the deletion, the reactions by who reacted.
    payload: dict[str, Any]


class ConversationCreated(ServerEvent):
    conversation: ConversationSummary


class ConversationAssigned(ServerEvent):
    conversation: ConversationSummary
    previous_assignee_id: uuid.UUID | None
    actor_id: uuid.UUID | None


class ConversationQueued(ServerEvent):
    """The conversation waits in its department's queue."""

    conversation: ConversationSummary
    reason: str | None = None


class ConversationTransferred(ServerEvent):
    conversation: ConversationSummary
    from_department_id: uuid.UUID | None
    from_assignee_id: uuid.UUID | None
    actor_id: uuid.UUID | None
    reason: str | None = None


class ConversationResolved(ServerEvent):
    conversation: ConversationSummary
    closing_reason_id: uuid.UUID | None
    actor_id: uuid.UUID | None


class ConversationUpdated(ServerEvent):
    """Anything else about the conversation changed; ``changed`` names the fields."""

    conversation: ConversationSummary
    changed: list[str]


class NoteAdded(ServerEvent):
    """An internal note: staff only, never sent to the customer's channel."""

    note: NoteRead


class AgentStatus(ServerEvent):
    user_id: uuid.UUID
    name: str
    status: PresenceStatus
    changed_at: datetime | None


class ConnectionStatusChanged(ServerEvent):
    """Sent to admins only: ``qr_code`` pairs a phone with the company's number."""

    connection_id: uuid.UUID
    name: str
    channel: ChannelKind
    status: ConnectionStatus
    reason: str | None = None
    phone_number: str | None = None
    qr_code: str | None = None


class Notification(ServerEvent):
    """Something a person should notice (desktop notification, sound, toast)."""

    kind: str
    title: str
    body: str | None = None
    level: Literal["info", "warning", "error"] = "info"
    conversation_id: uuid.UUID | None = None


class Typing(BaseModel):
    """Ephemeral: relayed to the conversation's room and never logged (a typing indicator
    that arrives after a reconnect means nothing), so it has no ``seq``."""

    conversation_id: uuid.UUID
    sender: Literal["agent", "customer"]
    user_id: uuid.UUID | None
    name: str | None
    is_typing: bool


LOGGED_EVENTS: dict[EventName, type[ServerEvent]] = {
    EventName.message_received: MessageReceived,
    EventName.message_sent: MessageSent,
    EventName.message_status: MessageStatusChanged,
    EventName.message_updated: MessageUpdated,
    EventName.conversation_created: ConversationCreated,
    EventName.conversation_assigned: ConversationAssigned,
    EventName.conversation_queued: ConversationQueued,
    EventName.conversation_transferred: ConversationTransferred,
    EventName.conversation_resolved: ConversationResolved,
    EventName.conversation_updated: ConversationUpdated,
    EventName.note_added: NoteAdded,
    EventName.agent_status: AgentStatus,
    EventName.connection_status: ConnectionStatusChanged,
    EventName.notification: Notification,
}
