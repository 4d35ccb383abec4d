"""Concurrent read-then-write transactions must not lose updates (SQLite defers BEGIN by
default, which silently loses them; write sessions use BEGIN IMMEDIATE)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from nexus.kit.db import create_database
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
