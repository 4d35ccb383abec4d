from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import Base, IDMixin, TenantMixin, utc_now


class ConversationEventKind(StrEnum):
    created = "created"
    department_selected = "department_selected"
    queued = "queued"
    assigned = "assigned"
    unassigned = "unassigned"
    transferred = "transferred"
    resolved = "resolved"
    reopened = "reopened"
    archived = "archived"
    expired = "expired"
    timeout_redirected = "timeout_redirected"
    priority_changed = "priority_changed"
    tagged = "tagged"
    untagged = "untagged"
    customer_renamed = "customer_renamed"


class ConversationEvent(Base, IDMixin, TenantMixin):
    """One transition of a conversation: who, when, from where to where, and why.

    Append-only; it is the conversation's history (T7) and the source of metrics (D2).
    """

    __tablename__ = "conversation_events"
    __table_args__ = (
        Index(None, "company_id", "conversation_id", "created_at"),
        Index(None, "company_id", "kind", "created_at"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    from_status: Mapped[str | None] = mapped_column(String(20), default=None)
    to_status: Mapped[str | None] = mapped_column(String(20), default=None)
    from_department_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    to_department_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    from_assignee_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    to_assignee_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
