"""pytest fixtures: each fake provider running on 127.0.0.1 (a free port), and an httpx
client with short timeouts. Import the ones you need into a conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeVar

import httpx
import pytest

from tests.fakes.cloud_api import FakeCloudApi
from tests.fakes.evolution import FakeEvolution
from tests.fakes.server import FakeProvider
from tests.fakes.telegram import FakeTelegram
from tests.fakes.waha import FakeWaha

P = TypeVar("P", bound=FakeProvider)


async def running(server: P) -> AsyncIterator[P]:
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    # The fakes speak plain HTTP; skipping certificate loading keeps each test fast.
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0), verify=False) as client:
        yield client


@pytest.fixture
async def fake_cloud_api() -> AsyncIterator[FakeCloudApi]:
    async for server in running(FakeCloudApi()):
        yield server


@pytest.fixture
async def fake_waha() -> AsyncIterator[FakeWaha]:
    async for server in running(FakeWaha()):
        yield server


@pytest.fixture
async def fake_evolution() -> AsyncIterator[FakeEvolution]:
    async for server in running(FakeEvolution()):
        yield server


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async for server in running(FakeTelegram()):
        yield server
