"""Embedded mode's inbox worker process (decision 0009): `nexus serve` answers webhooks and
serves agents, a worker process it starts applies the inbox on the same SQLite file, and what
the worker publishes reaches the agents' sockets through the server."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import pytest

from nexus.inbound import tasks as inbound_tasks
from nexus.kit.worker_process import WorkerProcess
from tests.conftest import TEST_REDIS_URL
from tests.fixtures.database import MigratedDatabase
from tests.fixtures.eventually import eventually
from tests.fixtures.live_server import LiveServer, SocketClient, serving
from tests.fixtures.sandbox import SandboxPhone, phone_for
from tests.fixtures.settled import wait_until_settled
from tests.realtime.team import Team, make_team

ServeWithWorker = Callable[[], AbstractAsyncContextManager[LiveServer]]


@pytest.fixture
async def serve_with_worker(
    test_database: MigratedDatabase,
    settings_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> ServeWithWorker:
    """What `nexus serve` runs on SQLite: the server, and the worker process it starts (which
    inherits this environment, as it inherits the shell's under `nexus serve`)."""
    from nexus.app import create_asgi_app
    from nexus.config import Settings

    if not test_database.url.startswith("sqlite") or TEST_REDIS_URL:
        pytest.skip(
            "the inbox worker process is embedded mode's (SQLite, no Redis); this pass runs "
            "PostgreSQL and Redis, where jobs go over Redis to `nexus worker` instead; the "
            "SQLite pass runs this test"
        )
    await test_database.truncate()
    for key, value in settings_env.items():
        monkeypatch.setenv(key, value)

    async def not_here() -> bool:
        raise AssertionError("the server applied the inbox itself")

    # The server's own inbox job must never run: its kicks go to the worker process.
    monkeypatch.setattr(inbound_tasks, "_work_through", lambda _database: not_here())
    return lambda: serving(create_asgi_app(Settings(), run_background=True, inbox_worker=True))


def _worker(live: LiveServer) -> WorkerProcess:
    worker: WorkerProcess = live.app.state.inbox_worker
    return worker


async def _started_worker(worker: WorkerProcess, *, other_than: int | None = None) -> int:
    async def started() -> int | None:
        return worker.pid if worker.pid != other_than else None

    return await eventually(started, within=30)


@dataclass
class _Served:
    live: LiveServer
    team: Team
    admin: SocketClient  # the admin's browser tab
    phone: SandboxPhone  # a customer on the sandbox channel


@asynccontextmanager
async def _company_served(serve_with_worker: ServeWithWorker) -> AsyncIterator[_Served]:
    async with serve_with_worker() as live:
        team = await make_team(live)
        admin = await live.socket(team.admin.token)
        phone = await phone_for(live.http, team.admin, "+5511977776666")
        yield _Served(live, team, admin, phone)
        await wait_until_settled(live.app)


async def test_the_worker_applies_the_inbox_and_its_events_reach_the_agents(
    serve_with_worker: ServeWithWorker,
) -> None:
    async with _company_served(serve_with_worker) as served:
        admin = served.admin
        await served.phone.say("Olá, preciso de ajuda")
        received = await admin.wait_for("message-received")
        assert received["message"]["content"] == "Olá, preciso de ajuda"
        assert received["conversation"]["status"] == "bot"
        # The bot's menu was sent by the worker's send job, and its outcome followed.
        menu = await admin.wait_for(
            "message-sent", lambda e: "1 - Suporte" in e["message"]["content"]
        )
        await admin.wait_for("message-status", lambda e: e["message_id"] == menu["message"]["id"])

        await served.phone.say("1")
        queued = await admin.wait_for("conversation-queued")
        assert queued["conversation"]["department_id"] == str(served.team.department("suporte"))


async def test_a_worker_that_dies_is_started_again_and_applies_what_waited(
    serve_with_worker: ServeWithWorker,
) -> None:
    async with _company_served(serve_with_worker) as served:
        worker = _worker(served.live)
        first = await _started_worker(worker)

        os.kill(first, signal.SIGKILL)
        # Stored while the worker is gone or starting again: applied once it runs.
        await served.phone.say("Olá de novo")
        await _started_worker(worker, other_than=first)
        assert worker.started == 2
        received = await served.admin.wait_for("message-received")
        assert received["message"]["content"] == "Olá de novo"


async def test_the_worker_stops_with_the_server(serve_with_worker: ServeWithWorker) -> None:
    async with serve_with_worker() as live:
        pid = await _started_worker(_worker(live))
    with pytest.raises(ProcessLookupError):  # gone, and reaped
        os.kill(pid, 0)
