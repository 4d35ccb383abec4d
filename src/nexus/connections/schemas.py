from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from nexus.kit.schemas import StrictBody
from nexus.models import ChannelKind, ConnectionStatus

# What each provider needs: (required config keys, required secret keys).
REQUIRED_FIELDS: dict[ChannelKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ChannelKind.cloud_api: (("phone_number_id",), ("access_token", "app_secret")),
    ChannelKind.waha: (("base_url", "session"), ("api_key",)),
    ChannelKind.evolution: (("base_url", "instance"), ("api_key",)),
    ChannelKind.telegram: ((), ("bot_token",)),
    ChannelKind.sandbox: ((), ()),
}


def missing_fields(
    channel: ChannelKind, config: dict[str, Any], secrets: dict[str, str]
) -> list[dict[str, str]]:
    config_keys, secret_keys = REQUIRED_FIELDS[channel]
    missing = [f"config.{key}" for key in config_keys if not config.get(key)]
    missing += [f"secrets.{key}" for key in secret_keys if not secrets.get(key)]
    return [
        {"field": name, "message": f"required for {channel.value}", "type": "missing"}
        for name in missing
    ]


class ConnectionCreate(StrictBody):
    name: str = Field(min_length=1, max_length=120)
    channel: ChannelKind
    config: dict[str, str | int | bool] = Field(default_factory=dict, max_length=30)
    # Access tokens, API keys, webhook secrets: encrypted at rest, never returned.
    secrets: dict[str, str] = Field(default_factory=dict, max_length=10)
    phone_number: str | None = Field(default=None, max_length=32)
    is_default: bool = False

    @model_validator(mode="after")
    def _complete(self) -> ConnectionCreate:
        if missing := missing_fields(self.channel, self.config, self.secrets):
            raise ValueError("missing: " + ", ".join(m["field"] for m in missing))
        return self


class ConnectionUpdate(StrictBody):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    config: dict[str, str | int | bool] | None = Field(default=None, max_length=30)
    # Only the keys given are replaced; the others keep their stored value.
    secrets: dict[str, str] | None = Field(default=None, max_length=10)
    phone_number: str | None = Field(default=None, max_length=32)
    is_default: bool | None = None


class ConnectionRead(BaseModel):
    id: uuid.UUID
    name: str
    channel: ChannelKind
    status: ConnectionStatus
    status_reason: str | None
    phone_number: str | None
    is_default: bool
    created_at: datetime
    status_changed_at: datetime | None


class ConnectionAdminRead(ConnectionRead):
    """What an admin sees: provider settings, the URL and secret to paste in the provider,
    which secrets are set (never their values), and the current QR code."""

    config: dict[str, Any]
    secret_fields: list[str]
    webhook_url: str
    verify_token: str
    qr_code: str | None


class ConnectionQr(BaseModel):
    status: ConnectionStatus
    # data:image/png;base64,… while the phone waits for a scan, else null.
    qr_code: str | None


class ConnectionSyncResult(BaseModel):
    contacts: int  # people the phone listed
    groups: int  # groups the phone takes part in
    created: int  # of those, new to the company (the others were already known)
