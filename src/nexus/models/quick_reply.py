from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import TenantModel


class QuickReply(TenantModel):
    """A canned answer, inserted in the composer by typing ``/shortcut``."""

    __tablename__ = "quick_replies"
    __table_args__ = (UniqueConstraint("company_id", "shortcut"),)

    shortcut: Mapped[str] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text)
    # None: everyone in the company; otherwise only that department's agents.
    department_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), default=None
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
