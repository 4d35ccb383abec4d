from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import TenantModel


class ClosingReason(TenantModel):
    """A tabulation: why a conversation was resolved."""

    __tablename__ = "closing_reasons"
    __table_args__ = (UniqueConstraint("company_id", "name"),)

    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(String(500), default=None)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Reserved for the system's own closings (automatic 24-hour expiry); not deletable.
    is_system: Mapped[bool] = mapped_column(default=False)
