"""The connection a webhook URL names is read once per process and kept a few seconds
(connections/webhook_lookup.py): deliveries that find it expired wait for one read, not a
read each; a change committed meanwhile is never hidden by a read that began before it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.connections import webhook_lookup as lookup_module
from nexus.connections.webhook_lookup import WebhookLookup
from nexus.kit.db import Database
from nexus.models import Connection
from tests.fixtures.sandbox import sandbox_connection_of_a_new_company


async def _counted_reads(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> tuple[Connection, list[str]]:
    connection = await sandbox_connection_of_a_new_company(app, client)
    reads: list[str] = []
    read = lookup_module.connection_by_webhook_key

    async def slow_read(session: AsyncSession, key: str) -> Any:
        reads.append(key)
        await asyncio.sleep(0.05)  # long enough for the others to arrive meanwhile
        return await read(session, key)

    monkeypatch.setattr(lookup_module, "connection_by_webhook_key", slow_read)
    return connection, reads


async def test_deliveries_that_find_the_entry_expired_wait_for_one_read(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection, reads = await _counted_reads(app, client, monkeypatch)
    database: Database = app.state.database
    now = [0.0]
    lookup = WebhookLookup(clock=lambda: now[0])
    key = connection.webhook_key

    targets = await asyncio.gather(*(lookup.find(database, key) for _ in range(20)))
    assert reads == [key]
    assert all(target is targets[0] and target is not None for target in targets)
    assert await lookup.find(database, key) is targets[0]  # kept
    assert reads == [key]

    now[0] += lookup_module.TTL_SECONDS  # expired
    again = await asyncio.gather(*(lookup.find(database, key) for _ in range(20)))
    assert reads == [key, key]
    assert all(target is again[0] for target in again)
    assert await lookup.find(database, "no-such-key") is None


async def test_a_change_committed_during_a_read_is_read_again(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection, reads = await _counted_reads(app, client, monkeypatch)
    database: Database = app.state.database
    now = [0.0]
    lookup = WebhookLookup(clock=lambda: now[0])
    key = connection.webhook_key

    async def forget() -> None:
        async with database.write() as session:
            lookup.forget_after_commit(session, connection)

    under_way = asyncio.create_task(lookup.find(database, key))
    await asyncio.sleep(0.01)  # the read has begun: it may see the row as it was
    await forget()
    await under_way
    await lookup.find(database, key)
    assert reads == [key, key]  # not served what the earlier read found

    now[0] += lookup_module.TTL_SECONDS  # expired: the next delivery reads again
    older = asyncio.create_task(lookup.find(database, key))
    await asyncio.sleep(0.01)
    await forget()
    # A delivery arriving while the older read still runs does not wait for its row.
    newer = asyncio.create_task(lookup.find(database, key))
    await asyncio.sleep(0.01)
    assert reads == [key] * 4 and not older.done()
    await asyncio.gather(older, newer)
