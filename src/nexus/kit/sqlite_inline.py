"""A SQLite connection for write sessions that runs each statement in the event loop's thread.

aiosqlite runs every statement in a thread of its own and wakes the event loop with the
result: measured on our 2-core machine, 650-850 µs per statement against 16 µs for the
statement itself (124 µs through SQLAlchemy). A processed inbound message is about twenty
statements in one write transaction, so the hops, not SQLite, set the pipeline's pace
(decision 0005). A write transaction's statements run against a database whose write lock
this connection already holds and whose pages are in memory: they never wait, so running them
inline is cheaper than any hand-over.

The one statement that can wait is the ``BEGIN IMMEDIATE`` that takes the write lock, while
another connection (a request's session, the inbox worker process, a CLI command) holds it.
It is tried without waiting, and again every millisecond from the loop while the lock is
taken (every ``SLOW_POLL_SECONDS`` after a while), so the loop goes on serving everybody
else — including the holder. SQLite's own busy handler would sleep 1, 2, 5, 10… ms between
tries: an agent's write waiting for the inbox worker's batch would sleep past the moment the
lock came free.

The object is shaped like ``aiosqlite.Connection`` where SQLAlchemy's aiosqlite dialect uses
it (``create_async_engine(async_creator=...)``), so the dialect, its pool and its error
mapping stay as they are.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

# Waits for the write lock; the pragmas set on connect use the same figure.
BUSY_TIMEOUT_MS = 30_000
# Tries for a taken write lock: often while a short holder (a batch) should be done soon,
# then seldom (a long command-line job holds it). Not under 1 ms: uvloop's timers count
# whole milliseconds and a shorter sleep would not wait at all.
FAST_POLL_SECONDS = 0.001
FAST_POLL_FOR_SECONDS = 0.2
SLOW_POLL_SECONDS = 0.02

_BEGIN_IMMEDIATE = re.compile(r"\s*BEGIN\s+IMMEDIATE\s*$", re.IGNORECASE)


class InlineCursor:
    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection
        self._cursor = connection.sqlite.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        if _BEGIN_IMMEDIATE.match(sql):
            await self._connection.begin_immediate(self._cursor, sql)
        else:
            self._cursor.execute(sql, () if parameters is None else parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    def __init__(self, sqlite: sqlite3.Connection) -> None:
        self.sqlite = sqlite
        # aiosqlite's name for the open sqlite3 connection: the dialect commits and rolls
        # back only while it is set.
        self._connection: sqlite3.Connection | None = sqlite

    @property
    def isolation_level(self) -> str | None:
        return self.sqlite.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.sqlite.create_function(*args, **kwargs)  # the dialect's REGEXP

    async def begin_immediate(self, cursor: sqlite3.Cursor, sql: str) -> None:
        """Take the write lock: at once when it is free, else as soon as it is after that."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.sqlite.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    cursor.execute(sql)
                    return
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error) and "busy" not in str(error):
                        raise
                    waited = loop.time() - started
                    if waited >= BUSY_TIMEOUT_MS / 1000:
                        raise
                await asyncio.sleep(
                    FAST_POLL_SECONDS if waited < FAST_POLL_FOR_SECONDS else SLOW_POLL_SECONDS
                )
        finally:
            self.sqlite.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    async def commit(self) -> None:
        self.sqlite.commit()

    async def rollback(self) -> None:
        self.sqlite.rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        self._connection = None
        self.sqlite.close()


def inline_connector(path: str) -> Any:
    """An ``async_creator`` for ``create_async_engine``: connections to the file at ``path``."""

    async def connect() -> InlineConnection:
        # isolation_level=None: BEGIN is ours to emit (kit/db.py).
        return InlineConnection(
            sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        )

    return connect
