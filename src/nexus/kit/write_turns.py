"""Write turns: the order in which one process's writers take SQLite's single write lock.

Left to SQLite, writers that find the lock taken sleep in its busy handler (1 ms growing to
100 ms) while each holds a pooled connection: under load the pool empties, even reads queue
behind writes, and the lock goes to whoever happens to wake up first. Measured with 50
inbound jobs queued (bench/README.md), a webhook waited 2.4 s (p50) for the lock and 2.3 s
for a connection to read its connection row with.

Here writers wait for their turn in the event loop instead, holding nothing. Urgent writers
(somebody outside is waiting: a provider for its webhook's 200) go before background ones
(jobs), but never more than ``URGENT_RUN`` times in a row while a background writer waits,
so jobs cannot be starved by a flood. PostgreSQL has row locks and needs none of this.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class WriteTurns:
    URGENT_RUN = 4

    def __init__(self) -> None:
        self._busy = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._background: deque[asyncio.Future[None]] = deque()
        self._urgent_in_a_row = 0

    @property
    def waiting(self) -> int:
        return len(self._urgent) + len(self._background)

    @property
    def urgent_waiting(self) -> bool:
        """Whether an urgent writer waits: a long background turn should end soon."""
        return any(not granted.cancelled() for granted in self._urgent)

    @asynccontextmanager
    async def turn(self, *, urgent: bool = False) -> AsyncIterator[None]:
        await self._acquire(urgent)
        try:
            yield
        finally:
            self._hand_over()

    async def _acquire(self, urgent: bool) -> None:
        if not self._busy:
            self._busy = True
            return
        queue = self._urgent if urgent else self._background
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(granted)
        try:
            await granted
            if not urgent:
                # Whatever the last writer's commit made ready runs first (the answers to the
                # webhooks it stored), then this turn's first stretch of work.
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            if granted.cancelled():
                if granted in queue:
                    queue.remove(granted)
            else:
                self._hand_over()  # the turn came with the cancellation: pass it on
            raise

    def _hand_over(self) -> None:
        """End the current turn: give it to the next waiter (``_busy`` stays set), or free it."""
        for queue in self._next_queues():
            while queue:
                granted = queue.popleft()
                if not granted.cancelled():  # a waiter cancelled since it queued
                    self._urgent_in_a_row = (
                        self._urgent_in_a_row + 1 if queue is self._urgent else 0
                    )
                    granted.set_result(None)
                    return
        self._busy = False
        self._urgent_in_a_row = 0

    def _next_queues(self) -> tuple[deque[asyncio.Future[None]], ...]:
        if self._background and self._urgent_in_a_row >= self.URGENT_RUN:
            return (self._background, self._urgent)
        return (self._urgent, self._background)
