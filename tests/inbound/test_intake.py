"""Webhook deliveries that arrive together are committed together (group commit), each
answered with what it stored; one delivery that cannot be stored fails alone."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.channels.events import Event
from nexus.connections.adapters import adapter_of
from nexus.inbound import inbox
from nexus.inbound.intake import Intake
from nexus.models import Connection, InboundEvent
from tests.fixtures.sandbox import sandbox_connection
from tests.fixtures.settled import wait_until_settled
from tests.fixtures.world import make_world


async def _connection_and_events(
    app: FastAPI, client: AsyncClient, count: int
) -> tuple[Connection, list[list[Event]]]:
    world = await make_world(app, client)
    created = await sandbox_connection(client, world.admin)
    async with app.state.database.read() as session:
        connection = await session.get(Connection, uuid.UUID(created["id"]))
    assert connection is not None
    adapter = adapter_of(connection)
    deliveries = [
        adapter.parse_webhook(
            json.dumps(
                {"event": "message", "id": f"m{i}", "from": f"+551190000{i:04d}", "text": f"#{i}"}
            ).encode()
        )
        for i in range(count)
    ]
    return connection, deliveries


async def _stored_count(app: FastAPI) -> int:
    async with app.state.database.read() as session:
        return int(await session.scalar(select(func.count()).select_from(InboundEvent)) or 0)


async def test_concurrent_deliveries_share_transactions(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection, deliveries = await _connection_and_events(app, client, 40)
    intake: Intake = app.state.intake
    batch_sizes: list[int] = []
    store_batch = intake._store

    async def counting(batch: list[Any]) -> list[list[uuid.UUID]]:
        batch_sizes.append(len(batch))
        return await store_batch(batch)

    monkeypatch.setattr(intake, "_store", counting)
    results = await asyncio.gather(*(intake.store(connection, events) for events in deliveries))

    assert [len(stored) for stored in results] == [1] * 40
    assert len({stored[0] for stored in results}) == 40
    assert sum(batch_sizes) == 40
    assert len(batch_sizes) <= 3  # the first alone, the rest while it commits
    assert await _stored_count(app) == 40
    # A redelivery of all of them stores nothing new and says so.
    again = await asyncio.gather(*(intake.store(connection, events) for events in deliveries))
    assert again == [[]] * 40
    assert await _stored_count(app) == 40
    await wait_until_settled(app)


async def test_a_delivery_that_cannot_be_stored_fails_alone(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection, deliveries = await _connection_and_events(app, client, 10)
    intake: Intake = app.state.intake
    store_deliveries = inbox.store_deliveries

    async def failing_for_one(
        session: AsyncSession, batch: Sequence[tuple[Connection, Sequence[Event]]]
    ) -> list[list[uuid.UUID]]:
        texts = [getattr(event, "text", None) for _, events in batch for event in events]
        if "#4" in texts:
            raise RuntimeError("cannot store this one")
        return await store_deliveries(session, batch)

    monkeypatch.setattr(inbox, "store_deliveries", failing_for_one)
    results = await asyncio.gather(
        *(intake.store(connection, events) for events in deliveries), return_exceptions=True
    )

    assert isinstance(results[4], RuntimeError)
    assert all(
        isinstance(result, list) and len(result) == 1 for i, result in enumerate(results) if i != 4
    )
    assert await _stored_count(app) == 9
    await wait_until_settled(app)


async def test_a_batch_keeps_each_chats_order_and_stores_a_repeated_event_once(
    app: FastAPI, client: AsyncClient
) -> None:
    """Deliveries committed together are one INSERT: a chat's events stay in the order they
    arrived across deliveries, and an event delivered twice in one batch goes to the first."""
    connection, _ = await _connection_and_events(app, client, 0)
    adapter = adapter_of(connection)

    def delivery(*ids: str) -> Sequence[Event]:
        body = [{"event": "message", "id": i, "from": "+5511900003333", "text": i} for i in ids]
        return adapter.parse_webhook(json.dumps(body).encode())

    async with app.state.database.write() as session:
        stored = await inbox.store_deliveries(
            session,
            [
                (connection, delivery("a", "b")),
                (connection, delivery("c", "a")),
                (connection, delivery("d")),
            ],
        )
    assert [len(events) for events in stored] == [2, 1, 1]
    async with app.state.database.read() as session:
        queue = (
            await session.scalars(
                select(InboundEvent.provider_event_id).order_by(
                    InboundEvent.received_at, InboundEvent.id
                )
            )
        ).all()
    assert [event_id.rsplit(":", 1)[-1] for event_id in queue] == ["a", "b", "c", "d"]
    await wait_until_settled(app)
