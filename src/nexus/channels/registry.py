"""The adapter for a connection, from its channel kind, config and decrypted secrets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from nexus.channels.base import ChannelAdapter
from nexus.channels.cloud_api import CloudApiAdapter
from nexus.channels.evolution import EvolutionAdapter
from nexus.channels.sandbox import SandboxAdapter
from nexus.channels.telegram import TelegramAdapter
from nexus.channels.waha import WahaAdapter
from nexus.models.connection import ChannelKind

ADAPTERS: dict[ChannelKind, type[ChannelAdapter]] = {
    ChannelKind.cloud_api: CloudApiAdapter,
    ChannelKind.waha: WahaAdapter,
    ChannelKind.evolution: EvolutionAdapter,
    ChannelKind.telegram: TelegramAdapter,
    ChannelKind.sandbox: SandboxAdapter,
}


def adapter_for(
    channel_kind: ChannelKind,
    config: Mapping[str, Any],
    secrets: Mapping[str, str],
    http: httpx.AsyncClient,
) -> ChannelAdapter:
    """Build the adapter; raises ``ChannelConfigError`` when config or secrets are lacking.

    Adapters are cheap and hold no connection of their own: all HTTP goes through the
    shared ``http`` client, so build one per use.
    """
    return ADAPTERS[channel_kind](config, secrets, http)
