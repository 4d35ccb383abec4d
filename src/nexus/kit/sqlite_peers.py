"""Two processes writing one SQLite file: the front one's urgent writers go first.

Embedded mode applies the inbox in a second process (``kit/worker_process.py``). SQLite's
write lock knows no priorities, and a webhook's 200 waits for its commit: left alone, the
worker's batches would hold the lock while webhooks wait. So the front process (the one that
answers webhooks) publishes whether an urgent writer of its own wants the lock, in a
one-byte memory map next to the database, and the worker reads it: between events a batch
ends early (``Database.urgent_writer_waiting``), and after a commit the worker waits a moment
before taking the lock again (``make_way``) — the same rules ``WriteTurns`` applies to the
writers of one process, across two.
"""

from __future__ import annotations

import asyncio
import mmap
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from pathlib import Path

# How long the worker lets an urgent writer of the front process take the lock after each
# of its commits. Longer would starve the worker under a stream of webhooks: the front
# process's writers always wait then, and each is quick.
MAKE_WAY_SECONDS = 0.003
# Not less: uvloop's timers count whole milliseconds, and a shorter sleep returns at once
# (measured: 8,492 sleeps of 0.5 ms in 50 ms), which would spin the worker's CPU away from
# the server it makes way for.
_POLL_SECONDS = 0.001


class PeerRole(StrEnum):
    front = "front"  # answers webhooks: publishes its urgent writers
    worker = "worker"  # applies the inbox: makes way for them


def flag_path(database_path: str) -> Path:
    return Path(f"{database_path}-urgent")


class UrgentWriters:
    """The front process's count of urgent writers that want or hold the write lock, or the
    worker's view of whether there is any."""

    def __init__(self, database_path: str, role: PeerRole) -> None:
        path = flag_path(database_path)
        owner = role is PeerRole.front
        self._owner = owner
        self._count = 0
        if owner:
            path.write_bytes(b"\0")
        elif not path.exists():  # started without a front process: nobody to make way for
            self._map: mmap.mmap | None = None
            return
        descriptor = os.open(path, os.O_RDWR if owner else os.O_RDONLY)
        try:
            self._map = mmap.mmap(
                descriptor, 1, access=mmap.ACCESS_WRITE if owner else mmap.ACCESS_READ
            )
        finally:
            os.close(descriptor)

    @asynccontextmanager
    async def writing(self, *, urgent: bool) -> AsyncIterator[None]:
        """Around a write transaction: the front process announces its urgent ones; the
        worker first gives a waiting one of them a moment to take the lock."""
        if not self._owner:
            await self._make_way()
            yield
            return
        if not urgent:
            yield
            return
        self._count += 1
        self._publish()
        try:
            yield
        finally:
            self._count -= 1
            self._publish()

    @property
    def waiting(self) -> bool:
        """Worker: an urgent writer of the front process wants the lock. (The front
        process's own are its ``WriteTurns``' business.)"""
        return not self._owner and self._map is not None and self._map[0] != 0

    def _publish(self) -> None:
        if self._map is not None:
            self._map[0] = 1 if self._count else 0

    async def _make_way(self) -> None:
        if not self.waiting:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAKE_WAY_SECONDS
        # Polled: the flag is another process's memory, nothing to await.
        while self.waiting and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(_POLL_SECONDS)

    def close(self) -> None:
        if self._map is not None:
            if self._owner:
                self._map[0] = 0
            self._map.close()
            self._map = None
