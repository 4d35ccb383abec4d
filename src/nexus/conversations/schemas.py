from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, model_validator

from nexus.kit.schemas import ReadModel, StrictBody
from nexus.models import ConversationStatus, Priority


class ContactSummary(ReadModel):
    id: uuid.UUID
    name: str | None
    phone: str | None
    avatar_url: str | None
    is_group: bool


class ConversationRead(ReadModel):
    id: uuid.UUID
    company_id: uuid.UUID
    contact: ContactSummary
    connection_id: uuid.UUID | None
    department_id: uuid.UUID | None
    assignee_id: uuid.UUID | None
    status: ConversationStatus
    bot_state: str | None
    priority: Priority
    is_group: bool
    closing_reason_id: uuid.UUID | None
    unread_count: int
    last_message_preview: str | None
    last_message_at: datetime | None
    last_inbound_at: datetime | None
    queued_at: datetime | None
    assigned_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    created_at: datetime
    tag_ids: list[uuid.UUID] = Field(default_factory=list)


class ConversationTab(StrEnum):
    mine = "mine"
    queue = "queue"
    all = "all"


class AssignRequest(StrictBody):
    """Without ``user_id``, the caller takes the conversation."""

    user_id: uuid.UUID | None = None


class TransferRequest(StrictBody):
    department_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    reason: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _one_target(self) -> TransferRequest:
        if self.department_id is None and self.user_id is None:
            raise ValueError("give department_id, user_id or both")
        return self


class ResolveRequest(StrictBody):
    closing_reason_id: uuid.UUID | None = None
    note: str | None = Field(default=None, max_length=2000)


class PriorityRequest(StrictBody):
    priority: Priority


class TagsRequest(StrictBody):
    tag_ids: list[uuid.UUID] = Field(max_length=30)


class CustomerNameRequest(StrictBody):
    name: str = Field(min_length=1, max_length=160)


class NoteCreate(StrictBody):
    body: str = Field(min_length=1, max_length=10_000)


class NoteRead(ReadModel):
    id: uuid.UUID
    conversation_id: uuid.UUID
    author_id: uuid.UUID | None
    body: str
    created_at: datetime


class ConversationEventRead(ReadModel):
    id: uuid.UUID
    kind: str
    actor_id: uuid.UUID | None
    from_status: str | None
    to_status: str | None
    from_department_id: uuid.UUID | None
    to_department_id: uuid.UUID | None
    from_assignee_id: uuid.UUID | None
    to_assignee_id: uuid.UUID | None
    reason: str | None
    data: dict[str, Any]
    created_at: datetime


class ConversationCounts(BaseModel):
    mine: int
    queue: int
    unread: int
