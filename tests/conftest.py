"""Test fixtures shared by the whole suite.

The suite runs on SQLite by default. With ``NEXUS_TEST_DATABASE_URL`` (a PostgreSQL server
URL) and ``NEXUS_TEST_REDIS_URL`` it runs again on the real servers; with ``CI=true`` those
are required and the run fails, rather than skips, when they cannot be reached.
"""

from __future__ import annotations

import ast
import gc
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from tests.fixtures.database import MigratedDatabase, prepare_test_database
from tests.fixtures.redis import flush_test_redis

TEST_DATABASE_URL = os.environ.get("NEXUS_TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("NEXUS_TEST_REDIS_URL", "")


def _parse_without_collecting(*args: Any, **kwargs: Any) -> ast.AST:
    """``ast.parse`` with the garbage collector paused.

    pytest parses source while tests run (rewriting a module imported late, showing a
    failure). On CPython 3.11 a collection during that parse can finalise a SQLAlchemy
    async connection, whose finaliser switches greenlets; the parser's recursion-depth
    check then fails with "SystemError: AST constructor recursion depth mismatch" — seen
    twice in CI, once as a failed test, once crashing pytest while it reported a failure.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(*args, **kwargs)
    finally:
        if enabled:
            gc.enable()


_parse = ast.parse
ast.parse = _parse_without_collecting  # type: ignore[assignment]


@pytest.fixture(scope="session")
def test_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabase]:
    database = prepare_test_database(TEST_DATABASE_URL, tmp_path_factory.mktemp("db"))
    yield database
    database.drop()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings_env(test_database: MigratedDatabase, data_dir: Path) -> dict[str, str]:
    """Environment for an app under test (also handed to server subprocesses)."""
    env = {
        "NEXUS_ENV": "testing",
        "NEXUS_DATA_DIR": str(data_dir),
        "DATABASE_URL": test_database.url,
        "REDIS_URL": TEST_REDIS_URL,
        "NEXUS_SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
        "NEXUS_LOG_JSON": "true",
        "NEXUS_LOG_LEVEL": "WARNING",
        # Generous defaults; the rate-limit tests set their own tight limits.
        "NEXUS_RATE_LIMIT_IP": "100000/minute",
        "NEXUS_RATE_LIMIT_USER": "100000/minute",
        "NEXUS_RATE_LIMIT_LOGIN_IP": "100000/minute",
        "NEXUS_RATE_LIMIT_LOGIN_ACCOUNT": "100000/minute",
    }
    return env


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    """Override in a test module to change configuration for its app."""
    return {}


@pytest.fixture
async def app(
    test_database: MigratedDatabase,
    settings_env: dict[str, str],
    settings_overrides: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[FastAPI]:
    from nexus.app import create_app
    from nexus.config import Settings

    await test_database.truncate()
    if TEST_REDIS_URL:
        await flush_test_redis(TEST_REDIS_URL)
    for key, value in {**settings_env, **settings_overrides}.items():
        monkeypatch.setenv(key, value)
    application = create_app(Settings(), run_background=True)
    # Shutdown may wait up to kit/jobs.py SHUTDOWN_GRACE_SECONDS for running jobs (distributed
    # mode): give it more than that before calling it hung.
    async with LifespanManager(application, shutdown_timeout=30):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
