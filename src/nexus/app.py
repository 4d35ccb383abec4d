"""The ASGI application: FastAPI for the API and the web app's files."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import socketio

# anyio imports its file helpers lazily, on the first FileResponse (a media download). Done
# inside a request, that import once failed under the test runner with CPython 3.11's
# "AST constructor recursion depth mismatch"; at start-up it happens once, before any load.
from anyio import open_file as _open_file  # noqa: F401
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from redis.asyncio import Redis

from nexus.config import Settings, get_settings
from nexus.inbound.intake import Intake
from nexus.inbound.spool import spool
from nexus.kit.crypto import SecretBox
from nexus.kit.db import create_database
from nexus.kit.errors import NotFound, install_error_handlers
from nexus.kit.heap import freeze_startup_heap
from nexus.kit.jobs import jobs, run_jobs
from nexus.kit.logging import configure_logging
from nexus.kit.ratelimit import RateLimiter
from nexus.kit.realtime import create_server, realtime
from nexus.kit.static import WebAppFiles
from nexus.kit.web import RequestContextMiddleware
from nexus.kit.worker_process import WorkerProcess
from nexus.realtime.gateway import register_gateway
from nexus.routers import ROUTERS
from nexus.webhooks.router import WEBHOOK_DELIVERY

STATIC_DIR = Path(__file__).parent / "static"


def _operation_id(route: APIRoute) -> str:
    # Stable, readable names for the generated TypeScript client: "users-list_users".
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def create_app(
    settings: Settings | None = None,
    *,
    run_background: bool | None = None,
    freeze_heap: bool = False,
    inbox_worker: bool = False,
) -> FastAPI:
    """Build the app. ``run_background`` runs jobs and periodic sweeps inside this process:
    always in embedded mode, and for ``nexus serve`` in distributed mode too.
    ``freeze_heap`` (server processes, not tests that start many apps in one process): the
    start-up heap leaves the garbage collector's reach once started (``kit/heap.py``).
    ``inbox_worker`` (``nexus serve`` on SQLite): the inbox is applied by a worker process
    this one starts (``kit/worker_process.py``)."""
    settings = settings or get_settings()
    if run_background is None:
        run_background = not settings.distributed
    settings.check_production_safety()
    configure_logging(json=settings.log_json, level=settings.log_level)

    rate_limiter = RateLimiter.for_redis_url(settings.redis_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = create_database(settings.resolved_database_url, long_running=True)
        app.state.database = database
        app.state.intake = Intake(database)
        app.state.redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        realtime.bind_server(app.state.sio)
        try:
            database.start()
            if inbox_worker:  # webhooks' events go to the worker through the spool
                await spool.open(settings.resolved_database_url)
            elif database.dialect == "sqlite":
                await spool.move_leftovers(settings.resolved_database_url, database)
            async with run_jobs(settings, database, background=bool(run_background)):
                worker = app.state.inbox_worker = _start_inbox_worker() if inbox_worker else None
                try:
                    if worker is not None:  # stopped below even if the start is interrupted
                        await worker.ready()
                    if freeze_heap:
                        freeze_startup_heap()
                    yield
                finally:
                    if worker is not None:  # while its last events can still be relayed
                        await worker.stop()
                    await realtime.release()
        finally:
            # Once the jobs have stopped: a job still running would otherwise take a
            # connection from the disposed pool and leave it open.
            await spool.close()
            await database.dispose()
            if app.state.redis is not None:
                await app.state.redis.aclose()

    app = FastAPI(
        title="Nexus API",
        version="0.1.0",
        description="Customer service for WhatsApp and Telegram: conversations, agents, "
        "departments, channels. Errors always have the shape "
        '`{"error": {"code", "message", "details"}}`.',
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.rate_limiter = rate_limiter
    app.state.secret_box = SecretBox.from_config(settings.encryption_keys, settings.secret_key)
    app.state.sio = create_server(settings)
    register_gateway(app.state.sio, app.state)

    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)

    @app.api_route(
        "/api/{path:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def unknown_api_route(path: str) -> None:
        # Without this, the web app's client-side-routing fallback would answer unknown API
        # paths with index.html instead of a JSON 404.
        raise NotFound(f"No API route /api/{path}.", code="route_not_found")

    if (STATIC_DIR / "index.html").exists():
        # What no route matches is the web app's, whichever routes are added later.
        app.router.default = WebAppFiles(STATIC_DIR)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(
        RequestContextMiddleware,
        rate_limiter=rate_limiter,
        ip_limit=settings.rate_limit_ip,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        hsts=settings.cookie_secure,
        direct_routes=[WEBHOOK_DELIVERY],
    )
    return app


def _start_inbox_worker() -> WorkerProcess:
    worker = WorkerProcess(
        [sys.executable, "-m", "nexus.cli", "inbox-worker"], wake=["inbound.process"]
    )
    jobs.delegate(["inbound.process"], worker.kick)
    worker.start()
    return worker


def create_asgi_app(
    settings: Settings | None = None,
    *,
    run_background: bool | None = None,
    freeze_heap: bool = False,
    inbox_worker: bool = False,
) -> socketio.ASGIApp:
    """What servers run: Socket.IO at /socket.io/, everything else (and the lifespan) to the
    FastAPI app of ``create_app``."""
    app = create_app(
        settings,
        run_background=run_background,
        freeze_heap=freeze_heap,
        inbox_worker=inbox_worker,
    )
    return socketio.ASGIApp(app.state.sio, other_asgi_app=app, socketio_path="socket.io")
