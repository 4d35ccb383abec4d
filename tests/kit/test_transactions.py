"""Concurrent read-then-write transactions must not lose updates (SQLite defers BEGIN by
default, which silently loses them; write sessions use BEGIN IMMEDIATE)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from nexus.kit.db import AfterCommit, Database, after_commit, create_database, savepoint
from nexus.models import Company, PresenceStatus, RealtimeEvent
from nexus.realtime.events import AgentStatus, EventName
from nexus.realtime.publish import publish
from tests.fixtures.database import MigratedDatabase


async def test_concurrent_read_modify_write_loses_nothing(test_database: MigratedDatabase) -> None:
    await test_database.truncate()
    database = create_database(test_database.url)
    try:
        async with database.write() as session:
            company = Company(name="Counter", slug="counter", settings={"n": 0})
            session.add(company)
        company_id = company.id

        async def increment() -> None:
            async with database.write() as session:
                row = (
                    await session.execute(
                        select(Company).where(Company.id == company_id).with_for_update()
                    )
                ).scalar_one()
                await asyncio.sleep(0.01)  # widen the race window
                row.settings = {"n": row.settings["n"] + 1}

        await asyncio.gather(*(increment() for _ in range(12)))
        async with database.read() as session:
            final = (
                await session.execute(select(Company).where(Company.id == company_id))
            ).scalar_one()
        assert final.settings["n"] == 12
    finally:
        await database.dispose()


async def test_a_failed_savepoint_undoes_its_writes_and_its_commit_work(
    test_database: MigratedDatabase,
) -> None:
    await test_database.truncate()
    database = create_database(test_database.url)
    ran: list[str] = []

    def remember(name: str) -> AfterCommit:
        async def callback() -> None:
            ran.append(name)

        return callback

    try:
        async with database.write() as session:
            session.add(Company(name="Kept", slug="kept", settings={}))
            after_commit(session, remember("outer"))
            with pytest.raises(RuntimeError):
                async with savepoint(session):
                    session.add(Company(name="Undone", slug="undone", settings={}))
                    after_commit(session, remember("inner"))
                    await session.flush()
                    raise RuntimeError("this event failed")
            async with savepoint(session):
                after_commit(session, remember("next"))
        async with database.read() as session:
            slugs = set((await session.execute(select(Company.slug))).scalars())
        assert slugs == {"kept"}
        assert ran == ["outer", "next"]
    finally:
        await database.dispose()


async def test_events_of_a_failed_savepoint_are_dropped_and_the_others_logged_at_commit(
    test_database: MigratedDatabase,
) -> None:
    """A run of inbound events is one transaction with a savepoint each: the events the good
    ones published are numbered once, at the outer commit, in order; a failed one's are not."""
    await test_database.truncate()
    database = create_database(test_database.url)

    def agent_status(name: str) -> AgentStatus:
        return AgentStatus(
            user_id=uuid.uuid4(), name=name, status=PresenceStatus.online, changed_at=None
        )

    try:
        async with database.write() as session:
            company = Company(name="Events", slug="events", settings={})
            session.add(company)
            await session.flush()
            for name, fails in (("first", False), ("broken", True), ("third", False)):
                with contextlib.suppress(RuntimeError):
                    async with savepoint(session):
                        publish(
                            session,
                            company.id,
                            EventName.agent_status,
                            agent_status(name),
                            company=True,
                        )
                        if fails:
                            raise RuntimeError("this event failed")
            async with database.read() as other:  # nothing is logged before the COMMIT
                assert (await other.scalar(select(func.count()).select_from(RealtimeEvent))) == 0
        async with database.read() as session:
            logged = (
                await session.execute(
                    select(RealtimeEvent.seq, RealtimeEvent.payload).order_by(RealtimeEvent.seq)
                )
            ).all()
        assert [(seq, payload["name"]) for seq, payload in logged] == [(1, "first"), (2, "third")]
    finally:
        await database.dispose()


@dataclass
class HeldLock:
    """An embedded (SQLite) database whose write lock another connection (``holder``) holds."""

    database: Database
    holder: sqlite3.Connection


@pytest.fixture
async def held_lock(tmp_path: Path) -> AsyncIterator[HeldLock]:
    # Its own SQLite file, whichever database the suite runs on: inline write sessions are
    # how every embedded installation writes.
    path = tmp_path / "embedded.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")  # as every Nexus database is
    holder.execute("CREATE TABLE notes (body TEXT NOT NULL)")
    database = create_database(f"sqlite+aiosqlite:///{path}")
    holder.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        yield HeldLock(database, holder)
    finally:
        holder.close()
        await database.dispose()


class LoopWatch:
    """The longest time the event loop took to come back to a 10 ms sleep."""

    def __init__(self) -> None:
        self.longest_stall = 0.0
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.01)
            self.longest_stall = max(self.longest_stall, loop.time() - before)

    def stop(self) -> float:
        self._task.cancel()
        return self.longest_stall


async def _add_note(database: Database, body: str) -> None:
    async with database.write() as session:
        await session.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": body})


async def _notes(database: Database) -> set[str]:
    async with database.read() as session:
        return set((await session.execute(text("SELECT body FROM notes"))).scalars())


async def test_a_sqlite_writer_waits_for_a_lock_held_elsewhere_without_stalling_the_loop(
    held_lock: HeldLock,
) -> None:
    """Write sessions run their statements in the event loop's thread (kit/sqlite_inline.py),
    but a write lock another connection holds (the inbox worker process, a CLI command) is
    waited for between tries, in the loop's sleeps: everybody else goes on meanwhile."""
    watch = LoopWatch()
    writer = asyncio.create_task(_add_note(held_lock.database, "waited"))
    await asyncio.sleep(0.5)
    assert not writer.done()  # waiting for the lock…
    held_lock.holder.execute("COMMIT")
    await asyncio.wait_for(writer, 10)
    # …while the loop kept running: a wait in the loop would have stalled it until the
    # busy timeout (30 s), since this test could not have committed the holder meanwhile.
    assert watch.stop() < 5
    assert await _notes(held_lock.database) == {"waited"}


async def test_a_writer_cancelled_while_waiting_for_the_lock_leaves_it_free(
    held_lock: HeldLock,
) -> None:
    """A writer cancelled while it waits for the lock (a request that went away) stops
    trying: the lock, once free, is nobody's, and the loop is never stuck."""
    watch = LoopWatch()
    writer = asyncio.create_task(_add_note(held_lock.database, "never"))
    await asyncio.sleep(0.3)  # trying for the lock
    writer.cancel()
    await asyncio.sleep(0.1)
    held_lock.holder.execute("COMMIT")  # a writer still trying would now get the lock…
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(writer, 10)
    # Far below the 30 s busy timeout a stuck loop would show.
    assert watch.stop() < 5
    held_lock.holder.execute("BEGIN IMMEDIATE")  # …and hold it
    held_lock.holder.execute("COMMIT")
    assert await _notes(held_lock.database) == set()


async def test_every_session_commits_to_disk_before_it_returns(
    test_database: MigratedDatabase,
) -> None:
    """A webhook is acked once its events are committed (M4): that commit must survive a
    power loss, not only a crash of the process (decision 0011)."""
    database = create_database(test_database.url, long_running=True)
    durable = "2" if test_database.dialect == "sqlite" else "on"  # FULL; synchronous_commit
    query = text(
        "PRAGMA synchronous" if test_database.dialect == "sqlite" else "SHOW synchronous_commit"
    )
    try:
        async with database.write() as session:
            written = await session.scalar(query)
        async with database.read() as session:
            read = await session.scalar(query)
        async with database.read_inline() as session:
            inline = await session.scalar(query)
    finally:
        await database.dispose()
    assert [str(written), str(read), str(inline)] == [durable] * 3
