"""Two processes on one SQLite file (kit/sqlite_peers.py): the front process's urgent writers
(webhooks waiting for their 200) go before the inbox worker's next batch. Both sides run in
this process here, each with its own engines, as they would in two."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvloop
from sqlalchemy import text

from nexus.kit import sqlite_inline, sqlite_peers
from nexus.kit.db import Database, create_database
from nexus.kit.realtime import Realtime
from nexus.kit.sqlite_peers import PeerRole, UrgentWriters


@pytest.fixture
async def peers(tmp_path: Path) -> AsyncIterator[tuple[Database, Database]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'embedded.db'}"
    front = create_database(url, peer=PeerRole.front)
    worker = create_database(url, peer=PeerRole.worker)
    async with front.write() as session:
        await session.execute(text("CREATE TABLE writes (who TEXT NOT NULL)"))
    try:
        yield front, worker
    finally:
        await worker.dispose()
        await front.dispose()


async def _write(database: Database, who: str, *, urgent: bool = False) -> None:
    async with database.write(urgent=urgent) as session:
        await session.execute(text("INSERT INTO writes (who) VALUES (:who)"), {"who": who})


async def _writes(database: Database) -> list[str]:
    async with database.read() as session:
        return list(
            (await session.execute(text("SELECT who FROM writes ORDER BY rowid"))).scalars()
        )


async def test_a_webhook_of_the_front_process_goes_before_the_workers_next_batch(
    peers: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    front, worker = peers
    # However slow the machine: the rule, not its timing, is what is tested here. The front
    # process tries for the lock seldom, so the batch could take it again first.
    monkeypatch.setattr(sqlite_peers, "MAKE_WAY_SECONDS", 30.0)
    monkeypatch.setattr(sqlite_inline, "FAST_POLL_SECONDS", 0.2)
    webhook: asyncio.Task[None] | None = None
    async with worker.write() as session:  # a batch holds the lock…
        await session.execute(text("INSERT INTO writes (who) VALUES ('batch 1')"))
        assert not worker.urgent_writer_waiting
        webhook = asyncio.create_task(_write(front, "webhook", urgent=True))
        await asyncio.sleep(0.05)
        assert not webhook.done()  # …the webhook waits for it…
        assert worker.urgent_writer_waiting  # …and the batch sees that it should end
    await _write(worker, "batch 2")  # the next batch makes way
    await webhook
    assert not worker.urgent_writer_waiting
    assert await _writes(front) == ["batch 1", "webhook", "batch 2"]


async def test_a_worker_without_a_front_process_waits_for_nobody(tmp_path: Path) -> None:
    database = create_database(f"sqlite+aiosqlite:///{tmp_path / 'alone.db'}", peer=PeerRole.worker)
    try:
        async with database.write() as session:
            await session.execute(text("CREATE TABLE writes (who TEXT NOT NULL)"))
        assert not database.urgent_writer_waiting
    finally:
        await database.dispose()


async def test_what_the_worker_emits_is_made_on_the_front_process_sockets() -> None:
    """The worker's real-time calls travel as JSON lines (kit/worker_process.py) and are made
    by the front process's ``Realtime`` as if its own code had made them."""
    lines: list[bytes] = []
    in_worker = Realtime()
    in_worker.bind_relay(lambda call: lines.append(json.dumps(call).encode()))
    await in_worker.emit("message-received", {"seq": 7}, ["company:1", "user:2"])
    await in_worker.close_room("conversation:3")
    await in_worker.disconnect_user(uuid.UUID(int=4))

    made: list[tuple[Any, ...]] = []
    in_front = Realtime()

    async def emit(event: str, data: Any, rooms: list[str], *, skip_sid: str | None = None) -> None:
        made.append(("emit", event, data, rooms, skip_sid))

    async def close_room(room: str) -> None:
        made.append(("close_room", room))

    async def disconnect_user(user_id: Any) -> None:
        made.append(("disconnect_user", user_id))

    in_front.emit = emit  # type: ignore[method-assign]
    in_front.close_room = close_room  # type: ignore[method-assign]
    in_front.disconnect_user = disconnect_user  # type: ignore[method-assign]
    for line in lines:
        await in_front.apply_relayed(json.loads(line))
    await in_front.apply_relayed(["unknown", 1])  # logged, not raised

    assert made == [
        ("emit", "message-received", {"seq": 7}, ["company:1", "user:2"], None),
        ("close_room", "conversation:3"),
        ("disconnect_user", uuid.UUID(int=4)),
    ]


def test_the_worker_makes_way_without_spinning_on_uvloop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker process runs on uvloop, whose timers count whole milliseconds: a shorter
    poll returned at once and spun the worker's CPU away from the server it made way for."""
    path = str(tmp_path / "embedded.db")
    front = UrgentWriters(path, PeerRole.front)
    worker = UrgentWriters(path, PeerRole.worker)
    monkeypatch.setattr(sqlite_peers, "MAKE_WAY_SECONDS", 0.05)
    polls = 0
    sleep = asyncio.sleep

    async def counted(delay: float) -> None:
        nonlocal polls
        polls += 1
        await sleep(delay)

    async def webhook_waits_while_the_worker_makes_way() -> None:
        async with front.writing(urgent=True), worker.writing(urgent=False):
            pass  # the worker went ahead once its time to make way was over

    monkeypatch.setattr(sqlite_peers.asyncio, "sleep", counted)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(webhook_waits_while_the_worker_makes_way())
    front.close()
    worker.close()
    assert 10 <= polls <= 60  # about one a millisecond for 50 ms
