"""The connection a webhook URL names, with its adapter, kept for a few seconds per process.

Reading the row (a read transaction) for every delivery put a database round trip in front
of each webhook's 200; at a hundred deliveries a second on
SQLite those reads queued behind processing for seconds (bench/README.md). A connection
changed or deleted through this process is forgotten at once; other processes see the change
within ``TTL_SECONDS`` — a delivery refused or failed meanwhile is retried by the provider.
The adapter is kept with it: building one decrypts the connection's secrets, which cost each
delivery more than checking its signature.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.channels.base import ChannelAdapter
from nexus.connections.adapters import adapter_of
from nexus.connections.repository import connection_by_webhook_key
from nexus.kit.db import Database, after_commit
from nexus.models import Connection

TTL_SECONDS = 5.0


@dataclass(frozen=True)
class WebhookTarget:
    connection: Connection
    adapter: ChannelAdapter


@dataclass(frozen=True)
class _Cached:
    target: WebhookTarget
    expires_at: float


class WebhookLookup:
    def __init__(self) -> None:
        self._cached: dict[str, _Cached] = {}

    async def find(self, database: Database, key: str) -> WebhookTarget | None:
        now = time.monotonic()
        cached = self._cached.get(key)
        if cached is not None and cached.expires_at > now:
            return cached.target
        async with database.read() as session:
            connection = await connection_by_webhook_key(session, key)
        if connection is None:
            self._cached.pop(key, None)
            return None
        target = WebhookTarget(connection, adapter_of(connection))
        self._cached[key] = _Cached(target, now + TTL_SECONDS)
        return target

    def forget_after_commit(self, session: AsyncSession, connection: Connection) -> None:
        """Once ``session`` commits its change to ``connection``, read it afresh."""
        key = connection.webhook_key

        async def forget() -> None:
            self._cached.pop(key, None)

        after_commit(session, forget)


webhook_lookup = WebhookLookup()
