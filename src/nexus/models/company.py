from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import Model


class Company(Model):
    """A tenant. ``settings`` holds the company's bot texts and conversation rules."""

    __tablename__ = "companies"

    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    timezone: Mapped[str] = mapped_column(String(64), default="America/Sao_Paulo")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
