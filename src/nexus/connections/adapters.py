from __future__ import annotations

from nexus.channels.base import ChannelAdapter
from nexus.channels.registry import adapter_for
from nexus.connections.secrets import secrets_of
from nexus.kit.jobs import jobs
from nexus.models import Connection


def adapter_of(connection: Connection) -> ChannelAdapter:
    """The connection's adapter, with its decrypted secrets and the process's HTTP client."""
    runtime = jobs.runtime()
    secrets = {
        # The generated token authenticates webhooks of channels without a signature of
        # their own (sandbox, Evolution, Telegram) and answers the Cloud API handshake.
        "verify_token": connection.verify_token,
        **secrets_of(runtime.secret_box, connection),
    }
    return adapter_for(connection.channel, connection.config, secrets, runtime.http)
