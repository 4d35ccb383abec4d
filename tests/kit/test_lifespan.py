"""An app that stops leaves no database connection open.

The periodic sweeps start with the app and may still run when it stops. Disposing of the
database before they stopped left their connections open until the process ended: on
PostgreSQL, backends that made the test database's DROP fail ("being accessed by other
users"); on SQLite, open file handles.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.fixtures.database import MigratedDatabase


def _open_files(database_path: str) -> int:
    """This process's file handles on a SQLite database's files."""
    path = Path(database_path).resolve()
    files = {str(path), f"{path}-wal", f"{path}-shm"}
    count = 0
    for descriptor in Path("/proc/self/fd").iterdir():
        try:
            count += os.readlink(descriptor) in files
        except OSError:  # closed since the listing
            continue
    return count


async def _open_connections(database: MigratedDatabase) -> int:
    """Connections to the test database, other than the one asking: the server's backends on
    PostgreSQL, this process's file handles on the database's files on SQLite."""
    if database.dialect == "sqlite":
        return _open_files(str(make_url(database.url).database))
    engine = create_async_engine(database.url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return int(
                await connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                or 0
            )
    finally:
        await engine.dispose()


async def test_a_stopped_app_leaves_no_database_connection_open(
    test_database: MigratedDatabase,
    settings_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nexus.app import create_app
    from nexus.config import Settings

    for key, value in settings_env.items():
        monkeypatch.setenv(key, value)
    before = await _open_connections(test_database)

    # Stopped at once: the sweeps kicked at start are still at work.
    async with LifespanManager(create_app(Settings(), run_background=True), shutdown_timeout=30):
        pass

    # A PostgreSQL backend exits a moment after its client closes the connection.
    left = await _open_connections(test_database)
    for _ in range(50):
        if left <= before:
            break
        await asyncio.sleep(0.1)
        left = await _open_connections(test_database)
    assert left <= before
