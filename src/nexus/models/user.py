from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import TenantModel, str_enum


class UserRole(StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    agent = "agent"


class PresenceStatus(StrEnum):
    online = "online"
    busy = "busy"
    offline = "offline"


class User(TenantModel):
    __tablename__ = "users"
    __table_args__ = (Index(None, "company_id", "role", "is_active"),)

    # Login is by e-mail alone, so an address belongs to one account in the installation.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[UserRole] = mapped_column(str_enum(UserRole), default=UserRole.agent)
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(8), default="pt-BR")
    # How many conversations the agent handles at once (routing capacity).
    max_conversations: Mapped[int] = mapped_column(default=5)
    presence: Mapped[PresenceStatus] = mapped_column(
        str_enum(PresenceStatus), default=PresenceStatus.offline
    )
    presence_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    # Tie-break of least-loaded routing: the agent idle the longest gets the next one.
    last_assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
