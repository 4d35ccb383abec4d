"""Reading a connection's ``config`` (non-secret) and ``secrets`` into adapter settings.

Secrets the caller passes besides the provider's own: ``verify_token`` (the connection's
generated token; the Cloud API handshake token, and the default webhook secret of the
other channels) and, optionally, ``webhook_secret`` to use a different webhook secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from nexus.channels.errors import ChannelConfigError
from nexus.channels.http import DEFAULT_TIMEOUT


def required(source: Mapping[str, Any], key: str, provider: str) -> str:
    value = source.get(key)
    if value is None or str(value).strip() == "":
        raise ChannelConfigError(f"{provider}: {key} is required")
    return str(value).strip()


def optional(source: Mapping[str, Any], key: str, default: str) -> str:
    value = source.get(key)
    return default if value is None or str(value).strip() == "" else str(value).strip()


def webhook_secret(secrets: Mapping[str, str], provider: str) -> str:
    """The shared secret that authenticates this connection's webhook deliveries."""
    for key in ("webhook_secret", "verify_token"):
        if secrets.get(key):
            return secrets[key]
    raise ChannelConfigError(f"{provider}: webhook_secret or verify_token is required")


def timeout(config: Mapping[str, Any]) -> httpx.Timeout:
    """``timeout_seconds`` in config overrides the default per-request time limit."""
    value = config.get("timeout_seconds")
    if value is None or value == "":
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except (TypeError, ValueError) as exc:
        raise ChannelConfigError("timeout_seconds must be a number") from exc
    if seconds <= 0:
        raise ChannelConfigError("timeout_seconds must be positive")
    return httpx.Timeout(seconds)
