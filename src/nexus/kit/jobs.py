"""Background jobs on taskiq, behind a small registry.

The database is the source of truth; a job message carries only ids and is a wake-up call.
Jobs are enqueued after the transaction that made them necessary commits (``enqueue``),
and periodic sweeps recover anything a lost message or a crashed worker left behind.

Embedded mode runs jobs in-process (``InMemoryBroker``); distributed mode sends them over
Redis streams to ``nexus worker`` processes, and ``nexus scheduler`` kicks periodic jobs.
Delays are never left to the broker (taskiq ignores them without a schedule source): a job
that must run later is a row with a due time that a periodic sweep picks up.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from taskiq import AsyncBroker, InMemoryBroker
from taskiq.api import run_receiver_task
from taskiq_redis import RedisStreamBroker

from nexus.config import Settings
from nexus.kit.crypto import SecretBox
from nexus.kit.db import Database, after_commit

log = structlog.get_logger(__name__)

JobFunction = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Resources:
    settings: Settings
    secret_box: SecretBox
    http: httpx.AsyncClient


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: float


class JobRegistry:
    """Jobs are declared at import time with ``@jobs.task``; a broker is bound at start-up."""

    def __init__(self) -> None:
        self.functions: dict[str, JobFunction] = {}
        self.periodic: list[PeriodicJob] = []
        self.broker: AsyncBroker | None = None
        self.database: Database | None = None
        self.resources: Resources | None = None
        # Jobs that run in another process of this installation (embedded mode's inbox
        # worker, ``kit/worker_process.py``): their kicks go there instead of to the broker.
        self.delegated: dict[str, Callable[..., None]] = {}

    def task(
        self, name: str, *, every_seconds: float | None = None
    ) -> Callable[[JobFunction], JobFunction]:
        def register(function: JobFunction) -> JobFunction:
            if name in self.functions:
                raise ValueError(f"job {name!r} declared twice")
            self.functions[name] = function
            if every_seconds is not None:
                self.periodic.append(PeriodicJob(name, every_seconds))
            return function

        return register

    def bind(self, *, redis_url: str, database: Database) -> AsyncBroker:
        broker: AsyncBroker
        if redis_url:
            broker = RedisStreamBroker(
                redis_url,
                queue_name="nexus:jobs",
                consumer_group_name="nexus-workers",
                idle_timeout=120_000,
            )
        else:
            broker = InMemoryBroker(max_async_tasks=50)
        for name, function in self.functions.items():
            broker.register_task(_with_logging(name, function), task_name=name)
        self.broker = broker
        self.database = database
        return broker

    def runtime(self) -> Resources:
        """What jobs share in this process: settings, the secret box, one HTTP client."""
        if self.resources is None:
            raise RuntimeError("jobs are not running")
        return self.resources

    def db(self) -> Database:
        if self.database is None:
            raise RuntimeError("jobs are not bound to a database")
        return self.database

    def delegate(self, names: list[str], kick: Callable[..., None]) -> None:
        """Send the kicks of ``names`` to ``kick(name, **kwargs)`` from now on."""
        for name in names:
            if name not in self.functions:
                raise KeyError(f"unknown job {name!r}")
            self.delegated[name] = kick

    async def kick(self, name: str, **kwargs: Any) -> None:
        delegated = self.delegated.get(name)
        if delegated is not None:
            delegated(name, **kwargs)
            return
        if self.broker is None:
            raise RuntimeError("jobs are not bound to a broker")
        task = self.broker.find_task(name)
        if task is None:
            raise KeyError(f"unknown job {name!r}")
        await task.kiq(**kwargs)

    def enqueue(self, session: AsyncSession, name: str, **kwargs: Any) -> None:
        """Kick ``name`` once ``session`` commits; nothing happens if it rolls back."""
        if name not in self.functions:
            raise KeyError(f"unknown job {name!r}")

        after_commit(session, lambda: self.kick_or_log(name, **kwargs))

    async def kick_or_log(self, name: str, **kwargs: Any) -> None:
        """``kick``, for work already committed: the periodic sweeps recover it if the kick
        is lost, so a failure is logged rather than raised."""
        try:
            await self.kick(name, **kwargs)
        except Exception:
            log.exception("job_kick_failed", job=name)

    async def run_periodic(self, stop: asyncio.Event) -> None:
        """Kick every periodic job at its interval until ``stop`` is set."""
        loop = asyncio.get_running_loop()
        next_due = {job.name: loop.time() for job in self.periodic}
        while not stop.is_set():
            now = loop.time()
            for job in self.periodic:
                if next_due[job.name] <= now:
                    next_due[job.name] = now + job.every_seconds
                    try:
                        await self.kick(job.name)
                    except Exception:
                        log.exception("periodic_kick_failed", job=job.name)
            wake_at = min(next_due.values(), default=now + 1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(0.05, wake_at - loop.time()))


@contextlib.asynccontextmanager
async def run_jobs(
    settings: Settings, database: Database, *, background: bool
) -> AsyncIterator[None]:
    """Bind the broker for this process; with ``background``, also consume jobs (when they
    travel over Redis) and kick the periodic ones."""
    import nexus.tasks  # noqa: F401  (registers every job)

    broker = jobs.bind(redis_url=settings.redis_url, database=database)
    http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))
    jobs.resources = Resources(
        settings=settings,
        secret_box=SecretBox.from_config(settings.encryption_keys, settings.secret_key),
        http=http,
    )
    await broker.startup()
    stop = asyncio.Event()
    runners: list[asyncio.Task[None]] = []
    if background:
        if settings.distributed:
            runners.append(asyncio.create_task(run_receiver_task(broker, run_startup=False)))
        runners.append(asyncio.create_task(jobs.run_periodic(stop)))
    try:
        yield
    finally:
        stop.set()
        for runner in runners:
            runner.cancel()
        await _stopped(runners)
        jobs.delegated.clear()
        if isinstance(broker, InMemoryBroker):
            await broker.wait_all()
        await broker.shutdown()
        await http.aclose()


# How long a stopping process lets running jobs finish. taskiq's receiver, once cancelled,
# waits for its running jobs without a limit (run_receiver_task has no wait_tasks_timeout),
# so one job stuck on a slow provider would hold the shutdown forever. A job cut off here is
# not acknowledged and is delivered again: jobs are idempotent (ARCHITECTURE §4).
SHUTDOWN_GRACE_SECONDS = 10.0


async def _stopped(runners: list[asyncio.Task[None]]) -> None:
    if not runners:
        return
    _, pending = await asyncio.wait(runners, timeout=SHUTDOWN_GRACE_SECONDS)
    if pending:
        log.warning("jobs_cut_off_at_shutdown", grace_seconds=SHUTDOWN_GRACE_SECONDS)
        for runner in pending:
            runner.cancel()
        # Parts of the receiver's clean-up are shielded from cancellation: don't wait on
        # them for long either; the loop's end collects what is left.
        await asyncio.wait(pending, timeout=1.0)


def _with_logging(name: str, function: JobFunction) -> JobFunction:
    async def run(**kwargs: Any) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(job=name)
        try:
            await function(**kwargs)
        except Exception:
            log.exception("job_failed", job=name)
            raise

    run.__name__ = function.__name__
    run.__doc__ = function.__doc__
    return run


jobs = JobRegistry()
