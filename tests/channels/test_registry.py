"""One entry point builds every adapter; missing settings fail early and clearly."""

from __future__ import annotations

import httpx
import pytest

from nexus.channels import (
    ChannelAdapter,
    ChannelConfigError,
    HandshakeRefused,
    NotSupported,
    adapter_for,
)
from nexus.channels.registry import ADAPTERS
from nexus.models import ChannelKind, MessageType

SETTINGS: dict[ChannelKind, tuple[dict[str, str], dict[str, str]]] = {
    ChannelKind.cloud_api: ({"phone_number_id": "1"}, {"access_token": "t", "app_secret": "s"}),
    ChannelKind.waha: (
        {"base_url": "http://waha:3000", "session": "s"},
        {"api_key": "k", "verify_token": "v"},
    ),
    ChannelKind.evolution: (
        {"base_url": "http://evo:8080", "instance": "i"},
        {"api_key": "k", "verify_token": "v"},
    ),
    ChannelKind.telegram: ({}, {"bot_token": "1:a", "verify_token": "v"}),
    ChannelKind.sandbox: ({}, {"verify_token": "v"}),
}


@pytest.fixture
def http() -> httpx.AsyncClient:
    return httpx.AsyncClient(verify=False)


@pytest.mark.parametrize("kind", list(ChannelKind))
def test_every_channel_kind_has_an_adapter(kind: ChannelKind, http: httpx.AsyncClient) -> None:
    config, secrets = SETTINGS[kind]
    adapter = adapter_for(kind, config, secrets, http)
    assert isinstance(adapter, ChannelAdapter)
    assert adapter.kind is kind is ADAPTERS[kind].kind


@pytest.mark.parametrize("kind", list(ChannelKind))
def test_missing_settings_are_config_errors(kind: ChannelKind, http: httpx.AsyncClient) -> None:
    config, secrets = SETTINGS[kind]
    if not config and len(secrets) == 1:
        with pytest.raises(ChannelConfigError):
            adapter_for(kind, {}, {}, http)
        return
    for key in config:
        with pytest.raises(ChannelConfigError, match=key):
            adapter_for(kind, {k: v for k, v in config.items() if k != key}, secrets, http)
    with pytest.raises(ChannelConfigError):
        adapter_for(kind, config, {}, http)


def test_bad_base_url_and_timeout(http: httpx.AsyncClient) -> None:
    with pytest.raises(ChannelConfigError):
        adapter_for(
            ChannelKind.waha,
            {"base_url": "waha:3000", "session": "s"},
            {"api_key": "k", "verify_token": "v"},
            http,
        )
    with pytest.raises(ChannelConfigError):
        adapter_for(
            ChannelKind.telegram,
            {"timeout_seconds": "soon"},
            {"bot_token": "1:a", "verify_token": "v"},
            http,
        )


def test_capabilities_tell_what_each_channel_does(http: httpx.AsyncClient) -> None:
    cloud = ADAPTERS[ChannelKind.cloud_api].capabilities
    assert cloud.templates and cloud.interactive_buttons and cloud.max_buttons == 3
    assert cloud.media_limit(MessageType.image).max_bytes == 5 * 2**20
    assert cloud.media_limit(MessageType.document).max_bytes == 100 * 2**20
    assert ADAPTERS[ChannelKind.waha].capabilities.sessions
    assert not ADAPTERS[ChannelKind.telegram].capabilities.read_receipts
    assert not ADAPTERS[ChannelKind.evolution].capabilities.templates


async def test_unsupported_operations_say_so(http: httpx.AsyncClient) -> None:
    config, secrets = SETTINGS[ChannelKind.telegram]
    telegram = adapter_for(ChannelKind.telegram, config, secrets, http)
    with pytest.raises(NotSupported):
        await telegram.send_template("1", "hello", "en")
    with pytest.raises(NotSupported):
        await telegram.start_session()
    cloud = adapter_for(ChannelKind.cloud_api, *SETTINGS[ChannelKind.cloud_api], http)
    with pytest.raises(NotSupported):
        await cloud.get_qr()
    with pytest.raises(NotSupported):
        await cloud.resolve_lid("1")
    # Without a configured verify token no handshake can succeed.
    with pytest.raises(HandshakeRefused):
        cloud.handshake({"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": ""})
    # Only the Cloud API has a GET handshake.
    assert telegram.handshake({"hub.challenge": "1"}) is None
