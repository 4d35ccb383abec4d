"""Group commit for webhook deliveries: the deliveries that arrive while one batch is being
stored are stored together in the next write transaction, each answered after that commit.

A webhook's 200 waits for its events to be committed in the inbox (M4). Committed one by one,
every delivery needs the write lock for itself — on SQLite one lock for the whole file, taken
about 14 ms per webhook under load — so at a few dozen webhooks a second the acks queued for
seconds behind each other and behind processing. Batched, a burst costs one lock and one
commit. Each delivery still gets its own answer: the ids it stored, or the error that kept it
from being stored (then the provider retries, and duplicates are ignored on the way in).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog

from nexus.channels.events import Event
from nexus.inbound import inbox
from nexus.inbound.spool import spool
from nexus.kit.db import Database
from nexus.kit.jobs import jobs
from nexus.models import Connection

log = structlog.get_logger(__name__)


@dataclass
class _Delivery:
    connection: Connection
    events: Sequence[Event]
    stored: asyncio.Future[list[uuid.UUID]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def answer(self, stored: list[uuid.UUID]) -> None:
        if not self.stored.done():  # its request may have gone (client disconnected)
            self.stored.set_result(stored)

    def fail(self, error: BaseException) -> None:
        if not self.stored.done():
            self.stored.set_exception(error)


class Intake:
    # Enough for a burst; a bigger batch would hold the write lock for longer than it saves.
    MAX_BATCH = 200
    # Spool mode: how long a flush waits for company (about 5 deliveries at 1,000/s).
    GATHER_SECONDS = 0.005

    def __init__(self, database: Database) -> None:
        self._database = database
        self._waiting: list[_Delivery] = []
        self._flusher: asyncio.Task[None] | None = None

    async def store(self, connection: Connection, events: Sequence[Event]) -> list[uuid.UUID]:
        """Store a delivery's events in the inbox; return once they are committed."""
        if not events:
            return []  # a delivery of ephemeral news only (the customer is typing)
        delivery = _Delivery(connection, events)
        self._waiting.append(delivery)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_waiting())
        return await asyncio.shield(delivery.stored)

    async def _flush_waiting(self) -> None:
        while self._waiting:
            batch: list[_Delivery] = []
            try:
                if spool.active and len(self._waiting) < self.MAX_BATCH:
                    # A spool commit waits for nobody: without a pause each would store one
                    # or two deliveries, and their cost per commit would add up. A full
                    # batch is already there: no pause.
                    await asyncio.sleep(self.GATHER_SECONDS)
                batch = self._waiting[: self.MAX_BATCH]
                del self._waiting[: self.MAX_BATCH]
                await self._flush(batch)
            except BaseException as error:  # cancelled at shutdown: nobody may wait forever
                for delivery in (*batch, *self._waiting):
                    delivery.fail(error)
                self._waiting.clear()
                raise

    async def _flush(self, batch: list[_Delivery]) -> None:
        try:
            results = await self._store(batch)
        except Exception as error:
            if len(batch) == 1:
                batch[0].fail(error)
                return
            # One bad delivery must not fail the others: store them one by one.
            log.warning("inbox_batch_failed", deliveries=len(batch), error=repr(error))
            for delivery in batch:
                await self._flush([delivery])
            return
        for delivery, stored in zip(batch, results, strict=True):
            delivery.answer(stored)

    async def _store(self, batch: list[_Delivery]) -> list[list[uuid.UUID]]:
        deliveries = [(delivery.connection, delivery.events) for delivery in batch]
        if spool.active:  # another process applies the inbox (``inbound/spool.py``)
            results = await spool.store(self._database, deliveries)
            if any(results):
                await jobs.kick_or_log("inbound.process")
            return results
        async with self._database.write(urgent=True) as session:
            results = await inbox.store_deliveries(session, deliveries)
            if any(results):
                jobs.enqueue(session, "inbound.process")
        return results
