"""Embedded mode's second process: jobs that run beside the server on the same SQLite file.

One Python process uses one core. Embedded mode answers webhooks and serves agents in the
front process (``nexus serve``) and applies the inbox in a worker process it starts itself
(decision 0009), so a 2-core machine can do both at once without Redis. The two talk over
the worker's standard streams:

- the front process kicks a delegated job by writing ``[name, kwargs]`` as a JSON line to the
  worker's stdin (``kit/jobs.py``: ``JobRegistry.delegate``); closing stdin stops the worker;
- the worker's real-time calls (emit, close a room, disconnect a user) come back as JSON
  lines on its stdout and are made on the front process's sockets
  (``Realtime.bind_relay`` / ``apply_relayed``). Its logs go to stderr, as the front's do;
- its first line, ``["ready"]``, says it reads kicks: the front process starts serving only
  then (``WorkerProcess.ready``), so that webhooks acked in the worker's first seconds (about
  2.5 s of start-up) do not wait for it unseen.

A kick or an event lost on the way (the worker died) costs what it costs between distributed
processes: the sweeps find the work again, and clients resync from the event log.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from nexus.kit.realtime import realtime

log = structlog.get_logger(__name__)

# A real-time event carries at most a message and its conversation: well below this.
LINE_LIMIT = 16 * 1024 * 1024
# How long a stopping front process lets the worker finish the batch it is applying.
STOP_GRACE_SECONDS = 15.0
# How long a starting front process waits for its worker to be ready before serving anyway.
READY_TIMEOUT_SECONDS = 60.0
READY = ["ready"]
# Waits before restarting a worker that died, growing while it keeps dying young.
RESTART_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
# A worker that ran this long before it died starts its restarts afresh.
HEALTHY_SECONDS = 60.0


class WorkerProcess:
    """The front process's handle on its worker: started with the app, restarted when it
    dies, stopped (stdin closed, then killed after the grace) with the app."""

    def __init__(self, argv: list[str], *, wake: list[str]) -> None:
        self._argv = argv
        # Kicked at every start: work stored while no worker ran must not wait for a sweep.
        self._wake = wake
        self._process: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._stopping = False
        self._ready = asyncio.Event()  # the first worker said it reads kicks
        self.started = 0  # how many times a worker was started (operators, tests)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        self._supervisor = asyncio.create_task(self._supervise())

    async def ready(self) -> bool:
        """Wait until the worker reads kicks; False (logged) if it did not within
        ``READY_TIMEOUT_SECONDS``: what is stored meanwhile is applied once it does, or by
        the sweeps."""
        try:
            await asyncio.wait_for(self._ready.wait(), READY_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning(
                "worker_process_not_ready", argv=self._argv, timeout_seconds=READY_TIMEOUT_SECONDS
            )
            return False
        return True

    def kick(self, name: str, **kwargs: Any) -> None:
        process = self._process
        if process is None or process.stdin is None or process.stdin.is_closing():
            return  # restarting: the kicks of ``wake`` at its start, or the sweeps, cover it
        process.stdin.write(json.dumps([name, kwargs]).encode() + b"\n")

    async def _supervise(self) -> None:
        loop = asyncio.get_running_loop()
        failures = 0
        while not self._stopping:
            started = loop.time()
            try:
                process = await asyncio.create_subprocess_exec(
                    *self._argv,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    limit=LINE_LIMIT,
                )
            except OSError:
                log.exception("worker_process_start_failed", argv=self._argv)
            else:
                self._process = process
                self.started += 1
                for name in self._wake:
                    self.kick(name)
                assert process.stdout is not None
                await _relay(process.stdout, self._ready.set)
                code = await process.wait()
                self._process = None
                if self._stopping:
                    return
                log.error("worker_process_exited", code=code, pid=process.pid)
            failures = 1 if loop.time() - started >= HEALTHY_SECONDS else failures + 1
            await asyncio.sleep(RESTART_DELAYS[min(failures, len(RESTART_DELAYS)) - 1])

    async def stop(self) -> None:
        self._stopping = True
        process = self._process
        if process is not None and process.stdin is not None:
            process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
            except TimeoutError:
                log.warning("worker_process_killed", grace_seconds=STOP_GRACE_SECONDS)
                process.kill()
                await process.wait()
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.gather(self._supervisor, return_exceptions=True)


async def _relay(stdout: asyncio.StreamReader, on_ready: Callable[[], None]) -> None:
    """Make the worker's real-time calls on this process's sockets until it closes stdout."""
    while line := await stdout.readline():
        try:
            call = json.loads(line)
        except ValueError:
            log.warning("worker_process_stray_output", line=line[:200].decode(errors="replace"))
            continue
        if call == READY:
            on_ready()
            continue
        try:
            await realtime.apply_relayed(call)
        except Exception:  # one failed emit must not stop the relay; clients resync
            log.exception("worker_process_relay_failed")


# -- the worker's side ---------------------------------------------------------------------


async def serve_as_worker(kick: Callable[..., Awaitable[None]]) -> None:
    """In the worker process: relay real-time calls to the front process and make the kicks
    it sends with ``kick(name, **kwargs)``, until it closes stdin (or SIGTERM).

    Ctrl-C in a terminal reaches both processes: the worker ignores it and lets the front
    process stop it in order."""
    loop = asyncio.get_running_loop()
    # stdout is the relay: whatever else would print there goes to stderr instead.
    relay_pipe = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    transport, _ = await loop.connect_write_pipe(asyncio.Protocol, relay_pipe)

    def send(call: list[Any]) -> None:
        transport.write(json.dumps(call).encode() + b"\n")

    realtime.bind_relay(send)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    reader = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    reading = asyncio.create_task(_read_kicks(reader, kick))
    send(READY)
    loop.add_signal_handler(signal.SIGTERM, reading.cancel)
    try:
        await reading
    except asyncio.CancelledError:
        if not reading.cancelled():
            raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        transport.close()


async def _read_kicks(reader: asyncio.StreamReader, kick: Callable[..., Awaitable[None]]) -> None:
    pending = b""
    while chunk := await reader.read(65536):
        *lines, pending = (pending + chunk).split(b"\n")
        # A burst of webhooks sends a burst of the same kick: one is enough.
        for line in dict.fromkeys(lines):
            try:
                name, kwargs = json.loads(line)
                await kick(name, **kwargs)
            except Exception:
                shown = line[:200].decode(errors="replace")
                log.exception("worker_process_kick_failed", line=shown)
