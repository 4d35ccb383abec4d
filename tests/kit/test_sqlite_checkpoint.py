"""A server's SQLite commits never copy the write-ahead log into the database file (that copy
and its fsyncs stalled the event loop); a thread does, every interval."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from nexus.kit.db import Database, create_database
from nexus.kit.sqlite_checkpoint import WalCheckpointer

# More than SQLite's automatic checkpoint threshold (1,000 pages of 4 KiB) in the log.
MEGABYTE_ROWS = 6


async def _write_megabytes(database: Database) -> None:
    async with database.write() as session:
        await session.execute(text("CREATE TABLE blobs (body BLOB NOT NULL)"))
    for _ in range(MEGABYTE_ROWS):
        async with database.write() as session:
            await session.execute(
                text("INSERT INTO blobs (body) VALUES (:body)"), {"body": os.urandom(1_048_576)}
            )


def _size(path: Path | str) -> int:
    return os.path.getsize(path)


async def _database_file_grows_past(path: Path, size: int, seconds: float) -> bool:
    for _ in range(int(seconds / 0.05)):
        if _size(path) > size:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_commits_leave_the_log_to_the_checkpointer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WalCheckpointer, "INTERVAL_SECONDS", 0.05)
    path = tmp_path / "embedded.db"
    database = create_database(f"sqlite+aiosqlite:///{path}", long_running=True)
    try:
        await _write_megabytes(database)
        # Six megabytes committed, all of it still in the log: no commit checkpointed.
        assert _size(path) < 1_048_576
        assert _size(f"{path}-wal") > MEGABYTE_ROWS * 1_048_576
        database.start()
        assert await _database_file_grows_past(path, MEGABYTE_ROWS * 1_048_576, seconds=10)
    finally:
        await database.dispose()
    async with _reopened(path) as reopened, reopened.read() as session:
        assert await session.scalar(text("SELECT count(*) FROM blobs")) == MEGABYTE_ROWS


async def test_other_processes_keep_sqlite_checkpointing_in_their_commits(
    tmp_path: Path,
) -> None:
    # A command-line tool runs no checkpointer: its commits must keep the log bounded.
    path = tmp_path / "embedded.db"
    database = create_database(f"sqlite+aiosqlite:///{path}")
    try:
        await _write_megabytes(database)
        assert _size(path) > 4 * 1_048_576
    finally:
        await database.dispose()


@contextlib.asynccontextmanager
async def _reopened(path: Path) -> AsyncIterator[Database]:
    database = create_database(f"sqlite+aiosqlite:///{path}")
    try:
        yield database
    finally:
        await database.dispose()
