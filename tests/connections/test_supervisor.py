"""The supervisor (C5): checks at due times, restarts with back-off, parks after N failures,
and the provider's own webhook events move the same row the same way.

Time is driven by the sweep's ``now``: rows are made due a day ahead, where the background
sweep of the app under test (which runs on the real clock) never reaches them.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select, update

from nexus.connections.supervisor import supervise
from nexus.kit.models import utc_now
from nexus.models import Connection, InboundEvent
from tests.connections.helpers import action, create_connection, events, statuses, stored
from tests.fakes import waha
from tests.fakes.evolution import EvolutionWebhooks, FakeEvolution
from tests.fakes.waha import FakeWaha, WahaWebhooks
from tests.fixtures.api import Account, signup
from tests.fixtures.eventually import eventually


async def due_at(app: FastAPI, connection_id: str, when: datetime) -> None:
    async with app.state.database.write() as session:
        await session.execute(
            update(Connection)
            .where(Connection.id == uuid.UUID(connection_id))
            .values(next_check_at=when)
        )


async def connected_waha(
    app: FastAPI, client: AsyncClient, fake: FakeWaha
) -> tuple[Account, dict[str, Any]]:
    admin = await signup(client)
    fake.add_session(status="STOPPED").paired = True
    connection = await create_connection(client, admin, "waha", fake)
    assert (await action(client, admin, connection, "start")).json()["status"] == "connected"
    return admin, connection


async def test_a_dropped_session_is_restarted_with_back_off_then_parked(
    app: FastAPI, client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin, connection = await connected_waha(app, client, fake_waha)
    session = fake_waha.sessions[waha.SESSION]
    session.status, session.broken = "FAILED", True
    t0 = utc_now() + timedelta(days=1)
    await due_at(app, connection["id"], t0)
    starts_before = len(fake_waha.received("/start"))

    # Failures 1-4 restart it, each after twice the previous wait: 15, 30, 60, 120 s.
    now = t0
    for attempt, wait in enumerate((15, 30, 60, 120), start=1):
        assert await supervise(app.state.database, now=now) == [uuid.UUID(connection["id"])]
        row = await stored(app, connection["id"])
        assert row.status.value == "disconnected"
        assert row.restart_attempts == attempt
        assert row.next_check_at == now + timedelta(seconds=wait)
        assert len(fake_waha.received("/start")) == starts_before + attempt
        # Nothing is due before the back-off ends.
        assert (
            await supervise(app.state.database, now=row.next_check_at - timedelta(seconds=1)) == []
        )
        now = row.next_check_at

    # The fifth consecutive failure parks it: no restart, admins are told.
    await supervise(app.state.database, now=now)
    row = await stored(app, connection["id"])
    assert row.status.value == "failed"
    assert row.next_check_at is None and row.restart_attempts == 5
    assert len(fake_waha.received("/start")) == starts_before + 4
    (alert,) = await events(app, admin.company_id, "notification")
    assert alert.user_ids == [admin.user_id]
    assert alert.payload["kind"] == "connection_failed" and alert.payload["level"] == "error"
    assert connection["name"] in alert.payload["body"]
    assert (await statuses(app, admin.company_id))[-1] == "failed"
    # Parked means parked: later rounds leave it alone.
    assert await supervise(app.state.database, now=now + timedelta(days=30)) == []

    # An admin's start is the way back, once the cause is fixed.
    session.broken = False
    restarted = await action(client, admin, connection, "start")
    assert restarted.json()["status"] == "connected"
    row = await stored(app, connection["id"])
    assert row.restart_attempts == 0 and row.next_check_at is not None


async def test_a_new_connection_is_brought_up_without_pressing_start(
    app: FastAPI, client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin = await signup(client)
    connection = await create_connection(client, admin, "waha", fake_waha)
    assert connection["status"] == "starting"
    now = utc_now()

    # The supervisor's next round finds it due, and its first look is a start.
    assert await supervise(app.state.database, now=now) == [uuid.UUID(connection["id"])]

    row = await stored(app, connection["id"])
    assert row.status.value == "qr" and row.qr_code is not None
    assert row.status_reason is None and row.restart_attempts == 0  # not a failure
    assert row.next_check_at == now + timedelta(seconds=60)
    hook = fake_waha.sessions[waha.SESSION].config["webhooks"][0]
    assert hook["url"] == connection["webhook_url"]
    (published,) = await events(app, admin.company_id, "connection-status")
    assert published.payload["status"] == "qr"
    assert published.payload["qr_code"] == row.qr_code
    # From then on it is checked like any other.
    await supervise(app.state.database, now=row.next_check_at)
    assert (await stored(app, connection["id"])).status.value == "qr"
    assert fake_waha.last(f"/api/sessions/{waha.SESSION}").method == "GET"


async def test_a_successful_check_resets_the_count(
    app: FastAPI, client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin, connection = await connected_waha(app, client, fake_waha)
    session = fake_waha.sessions[waha.SESSION]
    session.status, session.broken = "FAILED", True
    t0 = utc_now() + timedelta(days=1)
    await due_at(app, connection["id"], t0)
    await supervise(app.state.database, now=t0)
    await supervise(app.state.database, now=t0 + timedelta(seconds=15))
    assert (await stored(app, connection["id"])).restart_attempts == 2

    session.broken = False  # the third restart works ...
    await supervise(app.state.database, now=t0 + timedelta(seconds=45))
    row = await stored(app, connection["id"])
    assert row.status.value == "connected" and row.restart_attempts == 3
    # ... and the check after it finds it working: the streak is over.
    await supervise(app.state.database, now=row.next_check_at)
    row = await stored(app, connection["id"])
    assert row.status.value == "connected" and row.restart_attempts == 0
    assert row.next_check_at is not None
    published = await statuses(app, admin.company_id)
    assert published[-1] == "connected" and "disconnected" in published


async def test_healthy_connections_are_polled_at_the_regular_interval(
    app: FastAPI, client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin, connection = await connected_waha(app, client, fake_waha)
    t0 = utc_now() + timedelta(days=1)
    await due_at(app, connection["id"], t0)
    published = len(await statuses(app, admin.company_id))

    await supervise(app.state.database, now=t0)

    row = await stored(app, connection["id"])
    assert row.status.value == "connected"
    assert row.next_check_at == t0 + timedelta(seconds=60)
    assert fake_waha.last(f"/api/sessions/{waha.SESSION}").method == "GET"
    # Nothing changed, so admins are not disturbed.
    assert len(await statuses(app, admin.company_id)) == published


async def test_stopped_connections_are_left_alone(
    app: FastAPI, client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin, connection = await connected_waha(app, client, fake_waha)
    assert (await action(client, admin, connection, "stop")).json()["status"] == "stopped"
    t0 = utc_now() + timedelta(days=1)
    await due_at(app, connection["id"], t0)

    assert await supervise(app.state.database, now=t0) == []

    # The gateway's own echo of the stop, or a late event, does not revive it.
    hooks = WahaWebhooks()
    path = connection["webhook_url"].removeprefix("http://127.0.0.1:8000")
    delivery = hooks.delivery(hooks.session_status("WORKING"))
    answer = await client.post(path, content=delivery.body, headers=delivery.headers)
    assert answer.status_code == 200
    await eventually(lambda: _processed(app))
    assert (await stored(app, connection["id"])).status.value == "stopped"


async def test_a_drop_reported_by_webhook_is_published_and_checked_at_once(
    app: FastAPI, client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin, connection = await connected_waha(app, client, fake_waha)
    hooks = WahaWebhooks()
    path = connection["webhook_url"].removeprefix("http://127.0.0.1:8000")
    delivery = hooks.delivery(hooks.session_status("FAILED"))

    before = utc_now()
    assert (
        await client.post(path, content=delivery.body, headers=delivery.headers)
    ).status_code == 200

    async def dropped() -> bool:
        return (await stored(app, connection["id"])).status.value == "disconnected"

    await eventually(dropped)
    row = await stored(app, connection["id"])
    # The provider's FAILED is a drop to repair, not our "failed" (parked).
    assert row.next_check_at is not None and row.next_check_at <= utc_now()
    assert row.next_check_at >= before
    assert (await statuses(app, admin.company_id))[-1] == "disconnected"


async def test_qr_events_reach_admins_with_the_image(
    app: FastAPI, client: AsyncClient, fake_evolution: FakeEvolution
) -> None:
    admin = await signup(client)
    connection = await create_connection(client, admin, "evolution", fake_evolution)
    hooks = EvolutionWebhooks()
    path = connection["webhook_url"].removeprefix("http://127.0.0.1:8000")
    # Some Evolution builds send the raw QR string alone: Nexus draws it.
    payload = hooks.qrcode("2@raw-only-qr,abc")
    payload["data"]["qrcode"]["base64"] = None
    delivery = hooks.delivery(payload)

    assert (
        await client.post(path, content=delivery.body, headers=delivery.headers)
    ).status_code == 200

    async def published() -> list[Any]:
        return await events(app, admin.company_id, "connection-status")

    (event,) = await eventually(published)
    assert event.payload["status"] == "qr"
    assert event.payload["qr_code"].startswith("data:image/png;base64,iVBORw0KGgo")
    row = await stored(app, connection["id"])
    assert row.qr_code == event.payload["qr_code"]

    open_ = hooks.delivery(hooks.connection("open"))
    assert (await client.post(path, content=open_.body, headers=open_.headers)).status_code == 200

    async def connected() -> bool:
        return (await stored(app, connection["id"])).status.value == "connected"

    await eventually(connected)
    assert (await stored(app, connection["id"])).qr_code is None


async def _processed(app: FastAPI) -> bool:
    async with app.state.database.read() as session:
        pending = (
            await session.execute(select(InboundEvent).where(InboundEvent.processed_at.is_(None)))
        ).first()
    return pending is None
