from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from nexus.kit.schemas import StrictBody


class EventRead(BaseModel):
    """A logged event as the socket delivered it: ``data`` is the payload (with ``seq``)."""

    seq: int
    name: str
    data: dict[str, Any]
    created_at: datetime


class EventsPage(BaseModel):
    """``reload``: the events after the cursor are no longer all kept (or the cursor is not
    this company's), so reload the lists and continue from ``last_seq``. Otherwise
    ``events`` are the ones this user missed, in order; continue from ``last_seq`` (call
    again at once when ``has_more``)."""

    reload: bool = False
    events: list[EventRead]
    last_seq: int
    has_more: bool = False


class ConversationRef(StrictBody):
    """The body of join-conversation, leave-conversation and mark-read."""

    conversation_id: uuid.UUID


class TypingSignal(StrictBody):
    conversation_id: uuid.UUID
    is_typing: bool = True
