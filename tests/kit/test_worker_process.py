"""The front process's handle on its worker process (kit/worker_process.py): a worker that
keeps dying is restarted after growing waits, one that does not stop when asked is killed
after the grace, and the front process serves once its worker says it reads kicks."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest

from nexus.kit import worker_process
from nexus.kit.worker_process import WorkerProcess
from tests.fixtures.eventually import eventually


async def test_a_worker_that_keeps_dying_young_is_restarted_after_growing_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delays = (0.01, 0.02, 0.04)
    monkeypatch.setattr(worker_process, "RESTART_DELAYS", delays)
    waits: list[float] = []
    sleep = asyncio.sleep

    async def recorded(delay: float) -> None:
        if delay in delays:  # asyncio's own sleep: the test's polling sleeps too
            waits.append(delay)
        await sleep(delay)

    monkeypatch.setattr(worker_process.asyncio, "sleep", recorded)
    worker = WorkerProcess([sys.executable, "-c", "raise SystemExit(3)"], wake=[])
    worker.start()

    async def restarted_four_times() -> bool:
        return worker.started >= 5

    try:
        await eventually(restarted_four_times)
    finally:
        await worker.stop()
    assert waits[:4] == [0.01, 0.02, 0.04, 0.04]  # growing, then the longest


async def test_a_worker_that_ignores_the_stop_is_killed_after_the_grace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(worker_process, "STOP_GRACE_SECONDS", 0.2)
    # Closing its stdin does not stop this one, as a worker stuck in a batch would not stop.
    worker = WorkerProcess([sys.executable, "-c", "import time; time.sleep(60)"], wake=[])
    worker.start()

    async def running() -> bool:
        return worker.pid is not None

    await eventually(running)
    process = worker._process
    assert process is not None
    loop = asyncio.get_running_loop()
    began = loop.time()
    await worker.stop()
    assert process.returncode is not None and process.returncode < 0  # killed by a signal
    assert loop.time() - began < 5  # the grace, not the worker's minute


async def test_the_front_process_waits_until_its_worker_reads_kicks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As the inbox worker does once it has started: say so, then read kicks until stdin ends.
    script = (
        "import sys, time; time.sleep(0.3); "
        f"print({json.dumps(json.dumps(worker_process.READY))}, flush=True); sys.stdin.read()"
    )
    worker = WorkerProcess([sys.executable, "-c", script], wake=[])
    worker.start()
    try:
        assert await worker.ready()
        assert worker.pid is not None
    finally:
        await worker.stop()

    monkeypatch.setattr(worker_process, "READY_TIMEOUT_SECONDS", 0.2)
    silent = WorkerProcess([sys.executable, "-c", "import sys; sys.stdin.read()"], wake=[])
    silent.start()
    try:
        assert not await silent.ready()  # serving goes on; the sweeps cover what waits
    finally:
        await silent.stop()
