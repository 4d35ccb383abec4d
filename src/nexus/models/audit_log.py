from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import Base, utc_now


class AuditLog(Base):
    """Append-only record of administrative actions and sign-ins.

    Each row stores the hash of the company's previous row and its own hash over both, so
    an edited or deleted row breaks the chain from that point on (A7).
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index(None, "company_id", "sequence", unique=True),
        Index(None, "company_id", "created_at"),
        Index(None, "company_id", "action"),
    )

    # Integer primary key: SQLite only autoincrements INTEGER (not BIGINT) keys.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column()
    actor_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_email: Mapped[str | None] = mapped_column(String(254), default=None)
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str | None] = mapped_column(String(60), default=None)
    target_id: Mapped[str | None] = mapped_column(String(64), default=None)
    ip_address: Mapped[str | None] = mapped_column(String(64), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
