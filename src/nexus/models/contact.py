from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import TenantModel


class Contact(TenantModel):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("company_id", "phone"),
        Index(None, "company_id", "name"),
        Index(None, "company_id", "created_at", "id"),
    )

    name: Mapped[str | None] = mapped_column(String(160), default=None)
    # E.164 ("+5511987654321"); NULL for contacts known only by a provider id.
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    avatar_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    opt_out: Mapped[bool] = mapped_column(default=False)
    is_group: Mapped[bool] = mapped_column(default=False)
    # Set when this record was merged into another one (LID ↔ phone): kept for history.
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None
    )
