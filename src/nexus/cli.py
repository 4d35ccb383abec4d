"""The ``nexus`` command."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import signal
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any

import typer
import uvicorn

from nexus.config import Settings, get_settings

app = typer.Typer(help="Nexus: customer service for WhatsApp and Telegram.", no_args_is_help=True)

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config() -> object:
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def run_migrations(revision: str = "head", *, downgrade: bool = False) -> None:
    from alembic import command

    settings = get_settings()
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    config = _alembic_config()
    if downgrade:
        command.downgrade(config, revision)  # type: ignore[arg-type]
    else:
        command.upgrade(config, revision)  # type: ignore[arg-type]


def _serve(
    host: str, port: int, *, run_background: bool | None, inbox_worker: bool = False
) -> None:
    from nexus.app import create_asgi_app

    settings = get_settings()
    uvicorn.run(
        create_asgi_app(
            settings,
            run_background=run_background,
            freeze_heap=True,
            inbox_worker=inbox_worker,
        ),
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    migrate: bool = typer.Option(True, help="Apply database migrations first."),
) -> None:
    """Everything on one machine: API, web app, jobs and periodic sweeps (embedded mode: the
    inbox is applied in a second process it starts, see NEXUS_INBOX_WORKER)."""
    if migrate:
        run_migrations()
    settings = get_settings()
    embedded_sqlite = settings.is_sqlite and not settings.distributed
    _serve(host, port, run_background=True, inbox_worker=embedded_sqlite and settings.inbox_worker)


@app.command()
def api(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """The API and web app only (distributed mode: jobs run in `nexus worker`)."""
    _serve(host, port, run_background=None)


@app.command()
def worker() -> None:
    """Consume background jobs from Redis (distributed mode)."""
    settings = get_settings()
    if not settings.distributed:
        raise typer.BadParameter("REDIS_URL must be set: embedded mode runs jobs in `serve`.")
    _run_on_uvloop(_run_worker(scheduler=False))


@app.command()
def scheduler() -> None:
    """Kick periodic jobs (distributed mode; run exactly one)."""
    settings = get_settings()
    if not settings.distributed:
        raise typer.BadParameter("REDIS_URL must be set: embedded mode schedules in `serve`.")
    _run_on_uvloop(_run_worker(scheduler=True))


def _run_on_uvloop(main: Coroutine[Any, Any, None]) -> None:
    """Long-running processes without uvicorn run on the event loop uvicorn gives the API."""
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


@contextlib.asynccontextmanager
async def _job_process(
    *, process: str | None = None, inbox_spool: bool = False
) -> AsyncIterator[Settings]:
    """What a process that runs jobs without serving HTTP sets up (logging, the database,
    ``inbox_spool``, the job registry) and releases, in reverse, however it ends."""
    from nexus.inbound.spool import spool
    from nexus.kit.db import create_database
    from nexus.kit.heap import freeze_startup_heap
    from nexus.kit.jobs import run_jobs
    from nexus.kit.logging import configure_logging
    from nexus.kit.realtime import realtime

    settings = get_settings()
    settings.check_production_safety()
    configure_logging(json=settings.log_json, level=settings.log_level, process=process)
    database = create_database(settings.resolved_database_url, long_running=True)
    database.start()
    try:
        if inbox_spool:
            await spool.open(settings.resolved_database_url)
        async with run_jobs(settings, database, background=False):
            freeze_startup_heap()
            yield settings
    finally:
        await realtime.release()
        await spool.close()  # once the jobs that move from it have stopped
        await database.dispose()


async def _run_worker(*, scheduler: bool) -> None:
    from taskiq.api import run_receiver_task

    from nexus.kit.jobs import jobs
    from nexus.kit.realtime import realtime

    async with _job_process() as settings:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        # Jobs publish real-time events; they reach the API processes' sockets over Redis.
        realtime.bind_writer(settings.redis_url)
        assert jobs.broker is not None
        runner = (
            asyncio.create_task(jobs.run_periodic(stop))
            if scheduler
            else asyncio.create_task(run_receiver_task(jobs.broker))
        )
        await stop.wait()
        runner.cancel()


@app.command("inbox-worker", hidden=True)
def inbox_worker() -> None:
    """Apply the inbox for `nexus serve`, which starts this process (embedded mode)."""
    _run_on_uvloop(_run_inbox_worker())


async def _run_inbox_worker() -> None:
    from nexus.kit.jobs import jobs
    from nexus.kit.worker_process import serve_as_worker

    async with _job_process(process="inbox-worker", inbox_spool=True):
        await serve_as_worker(jobs.kick)


@app.command()
def migrate(
    revision: str = typer.Argument("head", help="Target revision."),
    downgrade: bool = typer.Option(False, "--downgrade", help="Go down to REVISION."),
) -> None:
    """Apply (or revert) database migrations."""
    run_migrations(revision, downgrade=downgrade)
    typer.echo(f"database at {'downgraded to' if downgrade else 'upgraded to'} {revision}")


@app.command("create-admin")
def create_admin(
    email: str = typer.Option(..., prompt=True),
    name: str = typer.Option(..., prompt=True),
    company: str = typer.Option(..., prompt="Company name"),
    password: str = typer.Option("", help="Asked for when not given."),
) -> None:
    """Create a company and its first admin (or a new admin in an existing company)."""
    from nexus.bootstrap import create_admin as create

    secret = password or getpass.getpass("Password: ")
    if len(secret) < 8:
        raise typer.BadParameter("the password needs at least 8 characters")
    run_migrations()
    created = asyncio.run(create(email=email, name=name, company_name=company, password=secret))
    typer.echo(f"admin {created} ready")


@app.command()
def demo() -> None:
    """Load the demo company (idempotent) and print its logins."""
    from nexus.bootstrap import load_demo

    run_migrations()
    demo = asyncio.run(load_demo())
    typer.echo("\nDemo company ready. Sign in at http://127.0.0.1:8000 with:")
    for role, email, password in demo.logins:
        typer.echo(f"  {role:<11} {email:<28} {password}")
    typer.echo("\nPlay the customer on the sandbox phone (no WhatsApp account needed):")
    typer.echo(f"  http://127.0.0.1:8000{demo.sandbox_phone_path}")
    typer.echo("")


if __name__ == "__main__":
    app()
