"""Engines and sessions for SQLite (embedded) and PostgreSQL (distributed).

SQLite defers ``BEGIN`` until the first write, so a read-then-write transaction can silently
lose updates under concurrency (measured: 8 concurrent increments → 1). Write sessions
therefore open their transaction with ``BEGIN IMMEDIATE``, which takes the write lock at
once; read-only sessions keep a plain deferred ``BEGIN`` so readers never wait on writers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Table, event
from sqlalchemy.engine import Connection, Row, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from nexus.kit.models import table_of
from nexus.kit.sqlite_checkpoint import WalCheckpointer
from nexus.kit.sqlite_inline import BUSY_TIMEOUT_MS, inline_connector
from nexus.kit.write_turns import WriteTurns

Model = TypeVar("Model")

WRITE_OPTION = "nexus_write"
AFTER_COMMIT_KEY = "nexus_after_commit"

AfterCommit = Callable[[], Awaitable[None]]


# session.info lists that collect work for the transaction's commit (after-commit callbacks,
# real-time events to number): a savepoint that rolls back drops what was added inside it.
_COMMIT_WORK_KEYS: set[str] = {AFTER_COMMIT_KEY}


def commit_work_key(key: str) -> str:
    """Declare ``session.info[key]`` a list of work for the commit (see ``savepoint``)."""
    _COMMIT_WORK_KEYS.add(key)
    return key


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` once this session's transaction has committed; dropped on rollback.

    Jobs are enqueued and real-time events published this way, so nothing acts on data
    that is not yet (or never will be) visible to other connections.
    """
    session.info.setdefault(AFTER_COMMIT_KEY, []).append(callback)


async def commit(session: AsyncSession) -> None:
    """Commit, then run the after-commit callbacks registered during the transaction."""
    await session.commit()
    await _run_after_commit(session)


async def _run_after_commit(session: AsyncSession) -> None:
    callbacks: list[AfterCommit] = session.info.pop(AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        await callback()


_MEMOS_KEY = "nexus_transaction_memos"


def transaction_memo(session: AsyncSession, name: str) -> dict[Any, Any]:
    """A dict named ``name`` that lives as long as ``session``'s current transaction: for
    what a batch of inbound events would otherwise read again for every event. Forgotten when
    the transaction ends and when a savepoint fails (its rows may be gone).

    What it remembers must stay true until the transaction ends. On SQLite a write
    transaction holds the database's one write lock, so nobody else can change anything.
    PostgreSQL transactions run side by side (an agent may resolve the conversation
    meanwhile): there a caller remembers only rows it has locked (``SELECT … FOR UPDATE``),
    or what may be a moment old without harm."""
    transaction = session.sync_session.get_transaction()
    kept: tuple[object, dict[str, dict[Any, Any]]] | None = session.info.get(_MEMOS_KEY)
    if kept is None or kept[0] is not transaction:
        kept = (transaction, {})
        session.info[_MEMOS_KEY] = kept
    return kept[1].setdefault(name, {})


@asynccontextmanager
async def savepoint(session: AsyncSession) -> AsyncIterator[None]:
    """A nested transaction: if the block raises, its writes and the commit work it
    registered (jobs to kick, events to publish) are undone; the outer transaction goes on."""
    marks = {key: len(session.info.get(key, ())) for key in _COMMIT_WORK_KEYS}
    try:
        async with session.begin_nested():
            yield
    except BaseException:
        for key, mark in marks.items():
            if key in session.info:
                del session.info[key][mark:]
        session.info.pop(_MEMOS_KEY, None)
        raise


async def rollback(session: AsyncSession) -> None:
    session.info.pop(AFTER_COMMIT_KEY, None)
    await session.rollback()


def create_engine(
    url: str, *, echo: bool = False, inline: bool = False, autocheckpoint: bool = True
) -> AsyncEngine:
    """An engine for ``url``. ``inline`` (SQLite files): statements run in the event loop's
    thread instead of aiosqlite's (``kit/sqlite_inline.py``), for write sessions.
    ``autocheckpoint=False`` (SQLite): commits never copy the log into the database file; a
    ``WalCheckpointer`` must (``kit/sqlite_checkpoint.py``)."""
    if url.startswith("sqlite"):
        path = make_url(url).database
        creator = (
            {"async_creator": inline_connector(path)}
            if inline and path and path != ":memory:"
            else {}
        )
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
            pool_size=8,
            max_overflow=8,
            **creator,
        )
        _configure_sqlite(engine, autocheckpoint=autocheckpoint)
        return engine
    engine = create_async_engine(url, echo=echo, pool_size=10, max_overflow=20)
    _drop_closed_connections(engine)
    return engine


def _drop_closed_connections(engine: AsyncEngine) -> None:
    """Replace, when it is taken from the pool, a connection the server has closed (a
    restart, an idle timeout, ``pg_terminate_backend``).

    asyncpg learns of the close from its socket, so asking it costs nothing. SQLAlchemy's
    ``pool_pre_ping`` asks the server instead: BEGIN, an empty statement and ROLLBACK on
    every checkout, which was 9 % of an API process's CPU under a stream of webhooks."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise DisconnectionError("the database server closed this connection")


def _configure_sqlite(engine: AsyncEngine, *, autocheckpoint: bool) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take control of transactions away from the driver, so BEGIN is ours to emit
        # (inline connections are opened that way).
        if dbapi_connection.isolation_level is not None:
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk when it returns, as on PostgreSQL, so that an acked
        # webhook survives a power loss; NORMAL synced only at checkpoints (decision 0011).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass(frozen=True)
class Database:
    """One engine and the two session factories built on it."""

    engine: AsyncEngine
    # The engine of write sessions: on SQLite a second pool, of inline connections.
    write_engine: AsyncEngine
    write_sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]
    # SQLite: reads in the event loop's thread, on the write engine's inline connections.
    inline_read_sessions: async_sessionmaker[AsyncSession]
    # SQLite only: this process's writers queue here rather than in SQLite's busy handler.
    turns: WriteTurns | None = field(default=None)
    # SQLite, for long-running processes: checkpoints out of the commits (``start``).
    checkpointer: WalCheckpointer | None = field(default=None)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def write(self, *, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        """A write transaction for jobs and scripts: committed on success, rolled back on error.

        On SQLite it waits for this process's write turn first (``urgent`` for writes that
        somebody outside waits for, like a provider for its webhook's 200); the turn ends
        with the commit, before the after-commit work runs.
        """
        async with self._turn(urgent):
            # Closed within the turn: SQLAlchemy closes a session in a task of its own, so
            # the close lets the loop run, and the next writer must not start its work there
            # ahead of what this one's commit was for (a webhook's 200).
            async with self.write_sessions() as session:
                try:
                    yield session
                except BaseException:
                    await rollback(session)
                    raise
                await session.commit()
        await _run_after_commit(session)

    @property
    def urgent_writer_waiting(self) -> bool:
        """SQLite: an urgent writer (a webhook's 200) waits for the turn a background writer
        holds. A batch of background work checks between its steps and ends early."""
        return self.turns is not None and self.turns.urgent_waiting

    @asynccontextmanager
    async def _turn(self, urgent: bool) -> AsyncIterator[None]:
        if self.turns is None:
            yield
            return
        async with self.turns.turn(urgent=urgent):
            yield

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.read_sessions() as session:
            yield session

    @asynccontextmanager
    async def read_inline(self) -> AsyncIterator[AsyncSession]:
        """A read too small to be worth the hop to a reader thread (an indexed lookup): on
        SQLite it runs in the event loop's thread. A read never waits for the write lock."""
        async with self.inline_read_sessions() as session:
            yield session

    def start(self) -> None:
        """Start what a long-running process keeps doing for the database (in its loop)."""
        if self.checkpointer is not None:
            self.checkpointer.start()

    async def dispose(self) -> None:
        if self.checkpointer is not None:
            await self.checkpointer.stop()
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()


def create_database(url: str, *, echo: bool = False, long_running: bool = False) -> Database:
    """``long_running`` (servers): on a SQLite file, WAL checkpoints run in a thread, not in
    the commits of the event loop's thread (``Database.start``, ``kit/sqlite_checkpoint.py``)."""
    engine = create_engine(url, echo=echo)
    path = make_url(url).database if url.startswith("sqlite") else None
    file = path if path and path != ":memory:" else None
    checkpointer = WalCheckpointer(file) if long_running and file else None
    # Reads stay on aiosqlite's threads: a long report or search must not stall the loop.
    write_engine = (
        create_engine(url, echo=echo, inline=True, autocheckpoint=checkpointer is None)
        if url.startswith("sqlite")
        else engine
    )
    return Database(
        engine=engine,
        write_engine=write_engine,
        write_sessions=async_sessionmaker(
            write_engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        ),
        read_sessions=async_sessionmaker(engine, expire_on_commit=False),
        inline_read_sessions=async_sessionmaker(write_engine, expire_on_commit=False),
        turns=WriteTurns() if engine.dialect.name == "sqlite" else None,
        checkpointer=checkpointer,
    )


def _insert_ignoring(session: AsyncSession, target: Any, unique: list[str]) -> Any:
    """``INSERT … ON CONFLICT (unique) DO NOTHING`` in the session's dialect."""
    from sqlalchemy.dialects.postgresql import insert as postgres_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    insert = postgres_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(target).on_conflict_do_nothing(index_elements=unique)


async def insert_ignoring_duplicates(
    session: AsyncSession, model: type[Model], rows: Sequence[dict[str, Any]], unique: list[str]
) -> list[Model]:
    """``INSERT … ON CONFLICT (unique) DO NOTHING RETURNING *`` on either database, several
    rows per statement: the rows that were new, as loaded objects; a row equal to one already
    there (a duplicate delivery) is left out."""
    if not rows:
        return []
    statement = _insert_ignoring(session, model, unique).returning(model)
    return list((await session.scalars(statement, list(rows))).all())


async def insert_new_rows(
    session: AsyncSession,
    target: type[Model] | Table,
    rows: Sequence[dict[str, Any]],
    unique: list[str],
    returning: Sequence[Any] = (),
) -> Sequence[Row[Any]]:
    """Like ``insert_ignoring_duplicates``, for rows nobody reads back whole: only the
    ``returning`` columns of the new rows (none: nothing is read back), without loading
    objects into the session (a webhook's inbox insert spent most of its time loading what
    it had just written). ``target``: a model, or a table that has none (the inbox spool's)."""
    if not rows:
        return []
    table = target if isinstance(target, Table) else table_of(target)
    statement = _insert_ignoring(session, table, unique)
    if not returning:
        await session.execute(statement, list(rows))
        return []
    return (await session.execute(statement.returning(*returning), list(rows))).all()
