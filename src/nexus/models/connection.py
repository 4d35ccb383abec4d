from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import TenantModel, str_enum


class ChannelKind(StrEnum):
    cloud_api = "cloud_api"
    waha = "waha"
    evolution = "evolution"
    telegram = "telegram"
    sandbox = "sandbox"


class ConnectionStatus(StrEnum):
    starting = "starting"
    qr = "qr"
    connected = "connected"
    disconnected = "disconnected"
    failed = "failed"
    stopped = "stopped"


class Connection(TenantModel):
    """A number (or bot) of the company on one provider."""

    __tablename__ = "connections"
    __table_args__ = (Index(None, "company_id", "status"), Index(None, "status", "next_check_at"))

    name: Mapped[str] = mapped_column(String(120))
    channel: Mapped[ChannelKind] = mapped_column(str_enum(ChannelKind))
    status: Mapped[ConnectionStatus] = mapped_column(
        str_enum(ConnectionStatus), default=ConnectionStatus.starting
    )
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # Non-secret provider settings (base URL, phone number id, instance name, …).
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Access tokens and API keys, AES-GCM encrypted with the company id as associated data.
    secrets_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    # The unguessable path segment of this connection's webhook URL.
    webhook_key: Mapped[str] = mapped_column(String(64), unique=True)
    verify_token: Mapped[str] = mapped_column(String(64))
    phone_number: Mapped[str | None] = mapped_column(String(32), default=None)
    qr_code: Mapped[str | None] = mapped_column(Text, default=None)
    is_default: Mapped[bool] = mapped_column(default=False)
    restart_attempts: Mapped[int] = mapped_column(default=0)
    next_check_at: Mapped[datetime | None] = mapped_column(default=None)
    status_changed_at: Mapped[datetime | None] = mapped_column(default=None)
