"""WAL checkpoints of a SQLite database in a thread, instead of inside the commits.

In WAL mode SQLite copies the log back into the database file (a checkpoint) in the COMMIT that
takes the log past 1,000 pages. Write transactions commit in the event loop's thread
(``kit/sqlite_inline.py``), so that commit stalled every request and job of the process for
the copy and its fsyncs: measured at 500 webhooks/s, one commit in ten took over 5 ms and the
slowest 8-13 ms, where a commit takes 0.05-0.5 ms. The write connections of a process that runs
this turn automatic checkpoints off (``wal_autocheckpoint=0``); this runs a PASSIVE checkpoint
every ``INTERVAL_SECONDS`` on a connection of its own, in a thread. A PASSIVE checkpoint takes
no lock that writers or readers wait for, and SQLite releases the GIL while it works.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import structlog

log = structlog.get_logger(__name__)


class WalCheckpointer:
    """A thread that owns its own connection to the file: nothing else ever touches it, so
    stopping never closes a connection under a checkpoint that is still running."""

    INTERVAL_SECONDS = 1.0

    def __init__(self, path: str) -> None:
        self._path = path
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(
                target=self._run, name="sqlite-wal-checkpoints", daemon=True
            )
            self._thread.start()

    async def stop(self) -> None:
        if self._thread is None:
            return
        self._stopping.set()
        await asyncio.to_thread(self._thread.join)
        self._thread = None

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None)
        try:
            while not self._stopping.wait(self.INTERVAL_SECONDS):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error as error:  # busy or I/O: the next interval tries again
                    log.warning("wal_checkpoint_failed", error=repr(error))
        finally:
            connection.close()
