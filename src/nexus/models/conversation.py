from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import TenantModel, str_enum


class ConversationStatus(StrEnum):
    bot = "bot"
    waiting = "waiting"
    assigned = "assigned"
    resolved = "resolved"
    archived = "archived"


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class TimerKind(StrEnum):
    """What happens when ``timer_due_at`` passes; served by the scheduler's sweeps."""

    menu_timeout = "menu_timeout"
    queue_timeout = "queue_timeout"
    idle_expiry = "idle_expiry"


class Conversation(TenantModel):
    """A ticket: one customer's messages on one connection, from opening to resolution."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index(None, "company_id", "status", "department_id", "queued_at"),
        Index(None, "company_id", "assignee_id", "status"),
        Index(None, "company_id", "last_message_at", "id"),
        Index(None, "company_id", "contact_id", "created_at"),
        Index(None, "connection_id", "contact_id", "status"),
        Index(None, "timer_due_at"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL"), default=None
    )
    department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), default=None
    )
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[ConversationStatus] = mapped_column(
        str_enum(ConversationStatus), default=ConversationStatus.bot
    )
    # Where the bot is in its flow (greeting, menu, confirm_return, …) and its scratch data.
    bot_state: Mapped[str | None] = mapped_column(String(40), default=None)
    bot_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    priority: Mapped[Priority] = mapped_column(str_enum(Priority), default=Priority.normal)
    is_group: Mapped[bool] = mapped_column(default=False)
    # How the provider addresses this chat (WhatsApp jid, Telegram chat id, phone); sends
    # go there, so a group or a LID-only contact is answered where it wrote from.
    chat_id: Mapped[str | None] = mapped_column(String(255), default=None)
    closing_reason_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("closing_reasons.id", ondelete="SET NULL"), default=None
    )
    # Routing history, so a returning customer can be offered their last department.
    last_department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), default=None
    )
    last_assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    unread_count: Mapped[int] = mapped_column(default=0)
    last_message_preview: Mapped[str | None] = mapped_column(String(200), default=None)
    last_message_at: Mapped[datetime | None] = mapped_column(default=None)
    last_inbound_at: Mapped[datetime | None] = mapped_column(default=None)
    queued_at: Mapped[datetime | None] = mapped_column(default=None)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    first_response_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
    timer_kind: Mapped[TimerKind | None] = mapped_column(str_enum(TimerKind), default=None)
    timer_due_at: Mapped[datetime | None] = mapped_column(default=None)
