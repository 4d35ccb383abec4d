from __future__ import annotations

import uuid

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from nexus.models import Connection
from tests.fakes.cloud_api import CloudWebhooks
from tests.fixtures.api import create_user, signup

CLOUD = {
    "name": "Vendas (oficial)",
    "channel": "cloud_api",
    "config": {"phone_number_id": "106540352242922", "base_url": "http://127.0.0.1:9"},
    "secrets": {"access_token": "EAAG-very-secret", "app_secret": "app-secret-value"},
}


async def test_secrets_are_encrypted_and_never_returned(app: FastAPI, client: AsyncClient) -> None:
    admin = await signup(client)
    response = await client.post("/api/connections", headers=admin.headers, json=CLOUD)
    assert response.status_code == 201, response.text
    body = response.json()
    assert "EAAG-very-secret" not in response.text
    assert body["secret_fields"] == ["access_token", "app_secret"]
    assert body["status"] == "starting"
    assert body["webhook_url"].startswith("http://127.0.0.1:8000/webhooks/cloud_api/")
    assert len(body["verify_token"]) >= 24

    async with app.state.database.read() as session:
        stored = (await session.execute(select(Connection))).scalar_one()
    assert stored.secrets_encrypted and "EAAG" not in stored.secrets_encrypted
    assert stored.secrets_encrypted.startswith("v0:")
    # Moved to another company's row, the ciphertext would not decrypt (bound to its row).
    from nexus.connections.secrets import secrets_of

    assert secrets_of(app.state.secret_box, stored)["access_token"] == "EAAG-very-secret"


async def test_missing_provider_settings_are_named(client: AsyncClient) -> None:
    admin = await signup(client)
    response = await client.post(
        "/api/connections",
        headers=admin.headers,
        json={"name": "WAHA", "channel": "waha", "config": {"base_url": "http://x"}},
    )
    assert response.status_code == 422
    assert "config.session" in response.text and "secrets.api_key" in response.text


async def test_update_merges_secrets_and_agents_see_no_settings(client: AsyncClient) -> None:
    admin = await signup(client)
    created = (await client.post("/api/connections", headers=admin.headers, json=CLOUD)).json()
    url = f"/api/connections/{created['id']}"
    updated = await client.patch(
        url,
        headers=admin.headers,
        json={"secrets": {"access_token": "EAAG-rotated"}, "name": "Nova"},
    )
    assert updated.status_code == 200
    assert updated.json()["secret_fields"] == ["access_token", "app_secret"]
    assert updated.json()["name"] == "Nova"

    agent = await create_user(client, admin)
    listing = await client.get("/api/connections", headers=agent.headers)
    assert listing.status_code == 200
    assert "verify_token" not in listing.text and "config" not in listing.json()[0]
    assert (await client.get(url, headers=agent.headers)).status_code == 403
    assert (await client.patch(url, headers=agent.headers, json={"name": "x"})).status_code == 403


async def test_sandbox_is_connected_at_once_and_can_be_deleted(client: AsyncClient) -> None:
    admin = await signup(client)
    created = await client.post(
        "/api/connections", headers=admin.headers, json={"name": "Sandbox", "channel": "sandbox"}
    )
    assert created.json()["status"] == "connected"
    deleted = await client.delete(f"/api/connections/{created.json()['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    missing = await client.get(f"/api/connections/{uuid.uuid4()}", headers=admin.headers)
    assert missing.status_code == 404


async def test_webhooks_follow_a_rotated_secret_and_a_deletion_at_once(client: AsyncClient) -> None:
    """The webhook route keeps the connections it names for a few seconds
    (connections/webhook_lookup.py); a change made through the API applies to the very next
    delivery."""
    admin = await signup(client)
    created = (await client.post("/api/connections", headers=admin.headers, json=CLOUD)).json()
    path = "/" + created["webhook_url"].split("/", 3)[3]
    hooks = CloudWebhooks(app_secret="app-secret-value")
    empty = hooks.notification(messages=[])

    async def post(secret: str) -> int:
        delivery = hooks.delivery(empty, secret=secret)
        response = await client.post(path, content=delivery.body, headers=delivery.headers)
        return response.status_code

    assert await post("app-secret-value") == 200  # now kept by the webhook route
    rotated = await client.patch(
        f"/api/connections/{created['id']}",
        headers=admin.headers,
        json={"secrets": {"app_secret": "rotated-secret"}},
    )
    assert rotated.status_code == 200, rotated.text
    assert await post("app-secret-value") == 403
    assert await post("rotated-secret") == 200
    deleted = await client.delete(f"/api/connections/{created['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    assert await post("rotated-secret") == 404
