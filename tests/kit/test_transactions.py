"""Concurrent read-then-write transactions must not lose updates (SQLite defers BEGIN by
default, which silently loses them; write sessions use BEGIN IMMEDIATE)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from nexus.kit.db import AfterCommit, after_commit, create_database, savepoint
from nexus.models import Company
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
