"""One migration history for both databases: upgrade → downgrade → upgrade, and the models
match the migrated schema (autogenerate finds nothing to add)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from nexus.cli import _alembic_config
from nexus.config import get_settings
from nexus.kit.models import Base
from nexus.migrations.filters import include_name
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    if not TEST_DATABASE_URL:
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
        return
    base = make_url(TEST_DATABASE_URL)
    name = f"nexus_migrations_{os.getpid()}"
    admin = base.set(database="postgres").render_as_string(hide_password=False)
    asyncio.run(_autocommit(admin, f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_autocommit(admin, f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    asyncio.run(_autocommit(admin, f'DROP DATABASE IF EXISTS "{name}"'))


async def _autocommit(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


def _tables_and_diff(url: str) -> tuple[set[str], list[object]]:
    def inspect_sync(connection: Connection) -> tuple[set[str], list[object]]:
        tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": True, "include_name": include_name},
        )
        return tables, list(compare_metadata(context, Base.metadata))

    async def run() -> tuple[set[str], list[object]]:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            result = await connection.run_sync(inspect_sync)
        await engine.dispose()
        return result

    return asyncio.run(run())


def test_upgrade_downgrade_upgrade(scratch_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", scratch_url)
    get_settings.cache_clear()
    config = _alembic_config()
    try:
        command.upgrade(config, "head")  # type: ignore[arg-type]
        tables, diff = _tables_and_diff(scratch_url)
        assert {"companies", "users", "conversations", "messages", "audit_log"} <= tables
        assert diff == [], f"models and migrations disagree: {diff}"

        command.downgrade(config, "base")  # type: ignore[arg-type]
        tables, _ = _tables_and_diff(scratch_url)
        assert tables == set()

        command.upgrade(config, "head")  # type: ignore[arg-type]
        tables, diff = _tables_and_diff(scratch_url)
        assert set(Base.metadata.tables) <= tables
        assert diff == []
    finally:
        get_settings.cache_clear()
