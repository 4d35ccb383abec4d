"""Start, stop, log out and show the QR, per provider, against the wire-format fakes."""

from __future__ import annotations

import asyncio
import base64

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from nexus.connections.supervisor import supervise
from nexus.models import AuditLog
from tests.connections.helpers import action, create_connection, events, statuses, stored
from tests.fakes import telegram, waha
from tests.fakes.cloud_api import FakeCloudApi
from tests.fakes.evolution import FakeEvolution
from tests.fakes.telegram import FakeTelegram
from tests.fakes.waha import FakeWaha, WahaWebhooks
from tests.fixtures.api import create_user, signup
from tests.fixtures.eventually import eventually

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_of(data_url: str) -> bytes:
    header, _, payload = data_url.partition(",")
    assert header == "data:image/png;base64"
    data = base64.b64decode(payload)
    assert data.startswith(PNG_SIGNATURE)
    return data


async def test_waha_start_registers_our_signed_webhook_and_connects(
    app: FastAPI, client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin = await signup(client)
    fake_waha.add_session(status="STOPPED").paired = True
    connection = await create_connection(client, admin, "waha", fake_waha)

    started = await action(client, admin, connection, "start")

    assert started.status_code == 200, started.text
    assert started.json()["status"] == "connected"
    assert started.json()["phone_number"] == "+5511911112222"
    hook = fake_waha.sessions[waha.SESSION].config["webhooks"][0]
    assert hook["url"] == connection["webhook_url"]
    assert hook["hmac"] == {"key": waha.HMAC_KEY}
    assert fake_waha.sessions[waha.SESSION].status == "WORKING"
    assert await statuses(app, admin.company_id) == ["connected"]


async def test_waha_new_session_shows_a_qr_then_stops_and_logs_out(
    app: FastAPI, client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin = await signup(client)
    connection = await create_connection(client, admin, "waha", fake_waha)

    started = await action(client, admin, connection, "start")
    assert started.json()["status"] == "qr"
    assert fake_waha.last("/api/sessions").json["name"] == waha.SESSION  # created it
    png_of(started.json()["qr_code"])
    qr = await client.get(f"/api/connections/{connection['id']}/qr", headers=admin.headers)
    assert qr.status_code == 200
    assert qr.json()["status"] == "qr"
    assert png_of(qr.json()["qr_code"]) == waha.PNG_1X1  # read live from the gateway
    # The QR reached the admins with the status.
    (published,) = await events(app, admin.company_id, "connection-status")
    assert published.payload["qr_code"] == started.json()["qr_code"]
    assert published.to_company

    stopped = await action(client, admin, connection, "stop")
    assert stopped.status_code == 200
    assert stopped.json()["status"] == "stopped" and stopped.json()["qr_code"] is None
    assert fake_waha.sessions[waha.SESSION].status == "STOPPED"
    quiet = await client.get(f"/api/connections/{connection['id']}/qr", headers=admin.headers)
    assert quiet.json() == {"status": "stopped", "qr_code": None}

    fake_waha.sessions[waha.SESSION].paired = True
    logged_out = await action(client, admin, connection, "logout")
    assert logged_out.status_code == 200
    assert logged_out.json()["status"] == "stopped"
    assert "logged out" in logged_out.json()["status_reason"]
    assert fake_waha.sessions[waha.SESSION].paired is False
    assert await statuses(app, admin.company_id) == ["qr", "stopped", "stopped"]


async def test_the_installation_keeps_writing_while_a_gateway_is_slow(
    app: FastAPI, client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin = await signup(client)
    fake_waha.add_session(status="STOPPED")
    connection = await create_connection(client, admin, "waha", fake_waha)
    # Long enough that a write waiting for the start to finish would end after it.
    fake_waha.delay_next(2.0, path="/start")
    starting = asyncio.create_task(action(client, admin, connection, "start"))

    async def asked() -> bool:
        return bool(fake_waha.received("/start"))

    await eventually(asked)
    # While the gateway has not answered: an unrelated write, and a webhook of this very
    # connection (its inbox row references the connection) are both stored.
    tag = await client.post("/api/tags", headers=admin.headers, json={"name": "VIP"})
    hooks = WahaWebhooks()
    delivery = hooks.delivery(hooks.message("5511977776666@c.us", "Oi"))
    path = connection["webhook_url"].removeprefix("http://127.0.0.1:8000")
    webhook = await client.post(path, content=delivery.body, headers=delivery.headers)
    assert not starting.done()

    assert tag.status_code == 201, tag.text
    assert webhook.status_code == 200, webhook.text
    started = await starting
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "qr"
    assert (await stored(app, connection["id"])).status.value == "qr"


async def test_evolution_start_creates_the_instance_and_stop_is_refused(
    app: FastAPI, client: AsyncClient, fake_evolution: FakeEvolution
) -> None:
    admin = await signup(client)
    connection = await create_connection(client, admin, "evolution", fake_evolution)

    started = await action(client, admin, connection, "start")

    assert started.status_code == 200, started.text
    assert started.json()["status"] == "qr"
    png_of(started.json()["qr_code"])
    instance = fake_evolution.instances["t42"]
    assert instance.webhook["url"] == connection["webhook_url"]
    qr = await client.get(f"/api/connections/{connection['id']}/qr", headers=admin.headers)
    png_of(qr.json()["qr_code"])

    stop = await action(client, admin, connection, "stop")
    assert stop.status_code == 409
    assert stop.json()["error"]["code"] == "not_supported"
    assert "logout" in stop.json()["error"]["message"]

    logged_out = await action(client, admin, connection, "logout")
    assert logged_out.status_code == 200
    assert logged_out.json()["status"] == "stopped"
    assert instance.state == "close"


async def test_telegram_start_sets_the_webhook_with_our_secret(
    client: AsyncClient, fake_telegram: FakeTelegram
) -> None:
    admin = await signup(client)
    connection = await create_connection(client, admin, "telegram", fake_telegram)

    started = await action(client, admin, connection, "start")

    assert started.status_code == 200, started.text
    assert started.json()["status"] == "connected"
    assert fake_telegram.webhook["url"] == connection["webhook_url"]
    assert fake_telegram.webhook["secret_token"] == connection["verify_token"]
    for name in ("stop", "logout"):
        refused = await action(client, admin, connection, name)
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "not_supported"
        assert "telegram" in refused.json()["error"]["message"]
    assert telegram.BOT_TOKEN not in started.text


async def test_cloud_api_start_verifies_the_credentials(
    app: FastAPI, client: AsyncClient, fake_cloud_api: FakeCloudApi
) -> None:
    admin = await signup(client)
    connection = await create_connection(client, admin, "cloud_api", fake_cloud_api)

    started = await action(client, admin, connection, "start")

    assert started.status_code == 200, started.text
    assert started.json()["status"] == "connected"
    assert started.json()["phone_number"] == "+15550001111"
    assert fake_cloud_api.last(f"/{connection['config']['phone_number_id']}").method == "GET"


async def test_refused_credentials_are_a_clear_error_recorded_on_the_connection(
    app: FastAPI, client: AsyncClient, fake_cloud_api: FakeCloudApi
) -> None:
    admin = await signup(client)
    connection = await create_connection(client, admin, "cloud_api", fake_cloud_api)
    fake_cloud_api.access_token = "rotated-by-someone-else"

    refused = await action(client, admin, connection, "start")

    assert refused.status_code == 502
    error = refused.json()["error"]
    assert error["code"] == "provider_error"
    assert "access token" in error["message"]
    assert error["details"]["provider_code"] == "190"
    assert "Traceback" not in refused.text
    row = await stored(app, connection["id"])
    # Refused credentials cannot heal: parked until an admin fixes them and starts again.
    assert row.status.value == "failed"
    assert row.status_reason is not None and "access token" in row.status_reason
    assert row.next_check_at is None
    async with app.state.database.read() as session:
        audit = (
            await session.execute(select(AuditLog).where(AuditLog.action == "connection.start"))
        ).scalar_one()
    assert "access token" in audit.data["error"]


async def test_unreachable_gateway_is_retried_by_the_supervisor(
    app: FastAPI, client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin = await signup(client)
    connection = await create_connection(client, admin, "waha", fake_waha)
    fake_waha.server_error_next(503, path="/api/sessions")

    failed = await action(client, admin, connection, "start")

    assert failed.status_code == 502
    assert failed.json()["error"]["details"]["http_status"] == 503
    row = await stored(app, connection["id"])
    assert row.status.value == "disconnected" and row.restart_attempts == 1
    assert row.next_check_at is not None

    # Back, without the session it never got to create: the check's restart creates it.
    assert await supervise(app.state.database, now=row.next_check_at) == [row.id]
    row = await stored(app, connection["id"])
    assert row.status.value == "qr" and row.qr_code is not None
    assert waha.SESSION in fake_waha.sessions


async def test_sandbox_starts_at_once_and_has_no_session_to_stop(
    client: AsyncClient,
) -> None:
    admin = await signup(client)
    connection = await create_connection(client, admin, "sandbox")

    assert (await action(client, admin, connection, "start")).json()["status"] == "connected"
    refused = await action(client, admin, connection, "stop")
    assert refused.status_code == 409
    assert set(refused.json()) == {"error"}
    assert set(refused.json()["error"]) == {"code", "message", "details"}


async def test_only_admins_act_on_connections(client: AsyncClient, fake_waha: FakeWaha) -> None:
    admin = await signup(client)
    connection = await create_connection(client, admin, "waha", fake_waha)
    agent = await create_user(client, admin)
    supervisor = await create_user(client, admin, role="supervisor")
    for user in (agent, supervisor):
        for name in ("start", "stop", "logout", "sync"):
            assert (await action(client, user, connection, name)).status_code == 403
        qr = await client.get(f"/api/connections/{connection['id']}/qr", headers=user.headers)
        assert qr.status_code == 403
    assert fake_waha.requests == []


async def test_another_companys_admin_gets_not_found(
    client: AsyncClient, fake_waha: FakeWaha
) -> None:
    owner = await signup(client)
    connection = await create_connection(client, owner, "waha", fake_waha)
    intruder = await signup(client)
    for name in ("start", "stop", "logout", "sync"):
        answer = await action(client, intruder, connection, name)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
    qr = await client.get(f"/api/connections/{connection['id']}/qr", headers=intruder.headers)
    assert qr.status_code == 404
    assert fake_waha.requests == []
