"""The inbox spool: where webhooks' events are committed when another process applies them.

In embedded mode ``nexus serve`` applies the inbox in a worker process (decision 0009), and
both write one SQLite file, whose one write lock knows no priorities. A webhook's 200 waits
for its events' commit (M4), and the worker's batches hold the lock for tens of
milliseconds — what makes them cheap per message. At 1,000 webhooks/s the server's group
commits waited 23-44 ms (p50) for a batch to end, and the deliveries that came meanwhile
waited for the group commit after that (decision 0010).

So the front process commits its deliveries here instead: a second SQLite file next to the
database (``nexus.db-spool``) that nobody else writes but for a moment. At the start of each
of its write transactions the worker moves what is spooled into the inbox, and forgets it
here once that transaction has committed (``move_into``). At every moment an event is
spooled, or committed in the inbox, or both (the next move then ignores it: the inbox is
unique on connection + provider event id). So nothing acknowledged is lost, nothing is
applied twice, each chat's events keep their order (``received_at`` travels with them), and
a webhook never waits for a batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import structlog
from sqlalchemy import Column, Index, MetaData, Table, UniqueConstraint, delete, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.channels.events import Event
from nexus.inbound import inbox
from nexus.kit.db import Database, after_commit, create_database, insert_new_rows
from nexus.kit.models import table_of, utc_now
from nexus.models import Connection, InboundEvent

log = structlog.get_logger(__name__)


def _spool_table() -> Table:
    """The inbox's columns that storing sets, without its foreign keys (the tables they name
    live in the other file)."""
    inbox_columns = table_of(InboundEvent).c
    stored = [inbox_columns[name] for name in inbox.STORED_COLUMNS]
    return Table(
        "spooled_events",
        MetaData(),
        *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable) for c in stored),
        UniqueConstraint("connection_id", "provider_event_id"),
        # The oldest first, for the move and the sweep: walked, not sorted.
        Index("ix_spooled_events_received_at", "received_at"),
    )


SPOOLED = _spool_table()


def spool_path(database_url: str) -> str:
    """The spool's file: next to the SQLite database at ``database_url``."""
    return f"{make_url(database_url).database}-spool"


def spool_exists(database_url: str) -> bool:
    return Path(spool_path(database_url)).exists()


class InboxSpool:
    # Events moved into the inbox by one write transaction: a backlog moves in steps, and no
    # step holds the write lock long.
    MOVE_LIMIT = 500

    def __init__(self) -> None:
        # The spool file, with what any SQLite file of ours gets (kit/db.py): inline write
        # sessions that poll for the lock from the loop, checkpoints in a thread.
        self._database: Database | None = None

    @property
    def active(self) -> bool:
        """Whether this process's webhooks go to the spool (and its inbox jobs move them)."""
        return self._database is not None

    async def open(self, database_url: str) -> None:
        """Use the spool of the SQLite database at ``database_url`` (made if need be)."""
        database = create_database(
            f"sqlite+aiosqlite:///{spool_path(database_url)}", long_running=True
        )
        async with database.write() as session:
            await session.run_sync(lambda sync: SPOOLED.metadata.create_all(sync.connection()))
        database.start()
        self._database = database

    async def close(self) -> None:
        if self._database is not None:
            await self._database.dispose()
            self._database = None

    async def store(
        self, database: Database, deliveries: Sequence[tuple[Connection, Sequence[Event]]]
    ) -> list[list[uuid.UUID]]:
        """``inbox.store_deliveries``, committed in the spool: for each delivery, the ids of
        the events it added (an event already in the inbox or spooled is a duplicate).

        The inbox is read before the spool's write lock is taken, not under it: the read's
        session lets the loop run when it closes, and the worker would wait for the lock
        meanwhile (measured: 1,000/s no longer kept up). So a redelivery that arrives just
        as the worker commits its original's move and forgets it can be spooled, and counted
        as stored, a second time; the next move ignores it in the inbox."""
        async with database.read_inline() as session:
            known = await inbox.stored_event_keys(session, deliveries)
        fresh = [
            (connection, [e for e in events if (connection.id, e.event_id) not in known])
            for connection, events in deliveries
        ]
        async with self._open().write(urgent=True) as spooling:
            return await inbox.store_deliveries(spooling, fresh, into=SPOOLED)

    async def move_into(self, session: AsyncSession) -> int:
        """In the inbox's write transaction ``session``: insert the oldest spooled events
        (duplicates ignored), and forget them here once it has committed. How many were
        taken from the spool."""
        async with self._open().read_inline() as spooled:
            oldest_first = select(SPOOLED).order_by(SPOOLED.c.received_at)
            rows = (await spooled.execute(oldest_first.limit(self.MOVE_LIMIT))).mappings().all()
        if not rows:
            return 0
        # A connection deleted since its webhook was answered took its inbox with it.
        live = set(
            await session.scalars(
                select(Connection.id).where(
                    Connection.id.in_({row["connection_id"] for row in rows})
                )
            )
        )
        await insert_new_rows(
            session,
            InboundEvent,
            [dict(row) for row in rows if row["connection_id"] in live],
            ["connection_id", "provider_event_id"],
        )
        moved = [row["id"] for row in rows]
        after_commit(session, lambda: self._forget(moved))
        return len(rows)

    async def move(self, database: Database) -> int:
        """``move_into`` in a write transaction of its own."""
        async with database.write() as session:
            return await self.move_into(session)

    async def move_leftovers(self, database_url: str, database: Database) -> None:
        """Without an inbox worker (``NEXUS_INBOX_WORKER=false``): move what an earlier run
        with one left spooled, before anything newer of the same chats is stored."""
        if not spool_exists(database_url):
            return
        await self.open(database_url)
        try:
            # Until it is empty, or stops emptying (its deletes fail: they are logged).
            moved_from: datetime | None = None
            while (oldest := await self.oldest()) is not None and oldest != moved_from:
                await self.move(database)
                moved_from = oldest
        finally:
            await self.close()

    async def _forget(self, ids: list[uuid.UUID]) -> None:
        # After-commit work: whatever happens here, the batch's other after-commit work (its
        # real-time events, its jobs' kicks) must still run.
        try:
            async with self._open().write() as spooling:
                await spooling.execute(delete(SPOOLED).where(SPOOLED.c.id.in_(ids)))
        except Exception:
            # They stay spooled; the next move finds them in the inbox and ignores them.
            log.exception("inbox_spool_forget_failed", events=len(ids))

    async def oldest(self) -> datetime | None:
        """When the oldest spooled event was received; None when nothing is spooled, or
        this process has no spool."""
        if self._database is None:
            return None
        async with self._database.read_inline() as spooled:
            return await spooled.scalar(
                select(SPOOLED.c.received_at).order_by(SPOOLED.c.received_at).limit(1)
            )

    async def overdue(self) -> bool:
        """Whether a spooled event has waited past the inbox's grace: its kick was lost (the
        sweep wakes processing, as for the inbox's own events)."""
        oldest = await self.oldest()
        return oldest is not None and oldest <= utc_now() - inbox.KICK_GRACE

    def _open(self) -> Database:
        if self._database is None:
            raise RuntimeError("the inbox spool is not open")
        return self._database


spool = InboxSpool()
