from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import Base, JSONType


class RealtimeSequence(Base):
    """The per-company counter that numbers real-time events.

    Publishing increments it with ``UPDATE … RETURNING`` just before its transaction
    commits: the row lock makes a company's events commit in the order of their numbers, so
    a client resuming "after N" can never miss an event that commits later with a lower one
    (a database sequence hands out numbers in call order, not commit order).
    """

    __tablename__ = "realtime_sequences"

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class RealtimeEvent(Base):
    """One published real-time event, kept for a bounded window so that a client that was
    disconnected (or whose API process lost its Redis subscription) can fetch what it
    missed: ``GET /api/events?after=<seq>``."""

    __tablename__ = "realtime_events"
    __table_args__ = (Index(None, "created_at"),)

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(64))
    # The audience, as rooms: the company room (admins), departments, users, and the room
    # of the agents who have the conversation open. No foreign keys: the log outlives them.
    to_company: Mapped[bool] = mapped_column(default=False)
    department_ids: Mapped[list[str]] = mapped_column(JSONType)
    user_ids: Mapped[list[str]] = mapped_column(JSONType)
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    payload: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
