from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import Base, IDMixin, TenantMixin, str_enum, utc_now


class InboundEventStatus(StrEnum):
    pending = "pending"
    processed = "processed"
    failed = "failed"


class InboundEvent(Base, IDMixin, TenantMixin):
    """The inbox: a webhook's normalised event, stored before the provider gets its 200."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("connection_id", "provider_event_id"),
        # The oldest due events, read by every batch of the inbox job: walked in order, so
        # the read stops after the batch whatever the backlog. (An index on next_attempt_at
        # would lure SQLite's planner into sorting every pending row instead.)
        Index("ix_inbound_events_due", "status", "received_at", "id"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    provider_event_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(40))
    # Conversation ordering key (the customer's chat id), so events of one chat run in order.
    ordering_key: Mapped[str | None] = mapped_column(String(255), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[InboundEventStatus] = mapped_column(
        str_enum(InboundEventStatus), default=InboundEventStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utc_now)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    received_at: Mapped[datetime] = mapped_column(default=utc_now)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
