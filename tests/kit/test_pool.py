"""A pooled PostgreSQL connection that the server closed is replaced, not handed out."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from nexus.kit.db import Database


async def _backend_pids(database: Database, count: int) -> list[int]:
    """The server processes behind ``count`` connections taken from the pool at once."""
    async with contextlib.AsyncExitStack() as stack:
        sessions = [await stack.enter_async_context(database.read()) for _ in range(count)]
        return [await session.scalar(text("SELECT pg_backend_pid()")) for session in sessions]


async def test_a_connection_closed_by_the_server_is_replaced_at_checkout(app: FastAPI) -> None:
    database: Database = app.state.database
    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite connections are files, no server closes them")
    size = database.engine.pool.size()  # type: ignore[attr-defined]
    pooled = await _backend_pids(database, size)
    async with database.read() as killer:
        own = await killer.scalar(text("SELECT pg_backend_pid()"))
        # As a server restart would. A connection beyond the pool's size (the app's jobs held
        # some) was closed on its return: its process is gone already.
        terminated = {
            pid
            for pid in set(pooled) - {own}
            if await killer.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        }
    assert terminated
    await asyncio.sleep(0.2)  # the close reaches the pooled connections' sockets

    # Every pooled connection is taken again, each answers.
    assert not set(await _backend_pids(database, size)) & terminated
