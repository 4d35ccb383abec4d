"""The connection a webhook URL names, with its adapter, kept for a few seconds per process.

Reading the row (a read transaction) for every delivery put a database round trip in front
of each webhook's 200; at a hundred deliveries a second on
SQLite those reads queued behind processing for seconds (bench/README.md). A connection
changed or deleted through this process is forgotten at once; other processes see the change
within ``TTL_SECONDS`` — a delivery refused or failed meanwhile is retried by the provider.
The adapter is kept with it: building one decrypts the connection's secrets, which cost each
delivery more than checking its signature.

When a key's entry expires, the deliveries that arrive while it is read again wait for that
one read: at 1,000 deliveries a second each read its own, and every five seconds the acks of
a few hundred milliseconds' worth queued behind a herd of reads (decision 0010).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
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
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cached: dict[str, _Cached] = {}
        # The read under way per key; ``forget`` drops it, and a read no longer registered
        # here began before a committed change: it does not cache what it found.
        self._reading: dict[str, asyncio.Future[WebhookTarget | None]] = {}

    async def find(self, database: Database, key: str) -> WebhookTarget | None:
        cached = self._cached.get(key)
        if cached is not None and cached.expires_at > self._clock():
            return cached.target
        reading = self._reading.get(key)
        if reading is None:
            reading = self._reading[key] = asyncio.ensure_future(self._read(database, key))
            reading.add_done_callback(lambda done: self._done_reading(key, done))
        # Shielded: a delivery whose client went away must not cancel the others' read.
        return await asyncio.shield(reading)

    async def _read(self, database: Database, key: str) -> WebhookTarget | None:
        this_read = asyncio.current_task()  # the task ``find`` registered in ``_reading``
        now = self._clock()
        async with database.read() as session:
            connection = await connection_by_webhook_key(session, key)
        if connection is None:
            self._cached.pop(key, None)
            return None
        target = WebhookTarget(connection, adapter_of(connection))
        if self._reading.get(key) is this_read:
            self._cached[key] = _Cached(target, now + TTL_SECONDS)
        return target

    def _done_reading(self, key: str, done: asyncio.Future[WebhookTarget | None]) -> None:
        if self._reading.get(key) is done:
            del self._reading[key]
        if not done.cancelled():
            done.exception()  # retrieved: its waiters got it already

    def forget_after_commit(self, session: AsyncSession, connection: Connection) -> None:
        """Once ``session`` commits its change to ``connection``, read it afresh."""
        key = connection.webhook_key

        async def forget() -> None:
            self._cached.pop(key, None)
            self._reading.pop(key, None)  # a read under way may have found the old row

        after_commit(session, forget)


webhook_lookup = WebhookLookup()
