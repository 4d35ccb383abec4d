"""Concurrent read-then-write transactions must not lose updates (SQLite defers BEGIN by
default, which silently loses them; write sessions use BEGIN IMMEDIATE)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import uuid

import pytest
from sqlalchemy import func, make_url, select

from nexus.kit.db import AfterCommit, after_commit, create_database, savepoint
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


async def test_a_sqlite_writer_waits_for_a_lock_held_elsewhere_without_stalling_the_loop(
    test_database: MigratedDatabase,
) -> None:
    """Write sessions run their statements in the event loop's thread (kit/sqlite_inline.py),
    but the wait for a write lock another connection holds (a CLI command, a request's
    session) happens in a thread: everybody else goes on meanwhile."""
    if test_database.dialect != "sqlite":
        pytest.skip("SQLite only: PostgreSQL sessions never run statements in the loop")
    await test_database.truncate()
    database = create_database(test_database.url)
    path = make_url(test_database.url).database
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        holder.execute("BEGIN IMMEDIATE")  # holds the write lock
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())

        async def write() -> None:
            async with database.write() as session:
                session.add(Company(name="Waited", slug="waited", settings={}))

        writer = asyncio.create_task(write())
        await asyncio.sleep(0.5)
        assert not writer.done()  # waiting for the lock…
        assert ticks >= 20  # …while the loop kept running
        holder.execute("COMMIT")
        await asyncio.wait_for(writer, 10)
        ticker.cancel()
        async with database.read() as session:
            slugs = set((await session.execute(select(Company.slug))).scalars())
        assert slugs == {"waited"}
    finally:
        holder.close()
        await database.dispose()


async def test_a_writer_cancelled_while_waiting_for_the_lock_leaves_it_free(
    test_database: MigratedDatabase,
) -> None:
    """The thread that waits for the lock cannot be stopped: when its writer is cancelled
    (a request that went away), the lock it then gets is given back, not held forever, and
    the loop is never stuck behind that thread."""
    if test_database.dialect != "sqlite":
        pytest.skip("SQLite only: PostgreSQL sessions never wait in a thread")
    await test_database.truncate()
    database = create_database(test_database.url)
    path = make_url(test_database.url).database
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        holder.execute("BEGIN IMMEDIATE")
        loop = asyncio.get_running_loop()
        longest_stall = 0.0

        async def watch_the_loop() -> None:
            nonlocal longest_stall
            while True:
                before = loop.time()
                await asyncio.sleep(0.01)
                longest_stall = max(longest_stall, loop.time() - before)

        watcher = asyncio.create_task(watch_the_loop())

        async def write() -> None:
            async with database.write() as session:
                session.add(Company(name="Never", slug="never", settings={}))

        writer = asyncio.create_task(write())
        await asyncio.sleep(0.3)  # waiting for the lock in its thread
        writer.cancel()
        await asyncio.sleep(0.1)
        holder.execute("COMMIT")  # the waiting thread now gets the lock…
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(writer, 10)
        watcher.cancel()
        # Far below the 30 s busy timeout a stuck loop would show.
        assert longest_stall < 5
        holder.execute("BEGIN IMMEDIATE")  # …and has given it back
        holder.execute("COMMIT")
        async with database.read() as session:
            assert (await session.scalar(select(func.count()).select_from(Company))) == 0
    finally:
        holder.close()
        await database.dispose()
