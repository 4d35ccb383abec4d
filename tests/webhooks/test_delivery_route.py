"""Provider deliveries (``POST /webhooks/{channel}/{key}``) are answered before the
framework's routing (``kit/web.DirectRoute``), and still get everything every route gets:
the one error shape, the request id and security headers, the body limit, metrics."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from nexus.webhooks import router as webhooks_router
from nexus.webhooks.router import WEBHOOK_DELIVERY
from tests.fixtures.sandbox import SandboxPhone, phone_for
from tests.fixtures.settled import wait_until_settled
from tests.fixtures.world import make_world
from tests.kit.test_errors import assert_error_shape


async def _phone(app: FastAPI, client: AsyncClient) -> SandboxPhone:
    world = await make_world(app, client)
    return await phone_for(client, world.admin, "+5511987650000")


def _message(message_id: str) -> dict[str, Any]:
    return {"event": "message", "id": message_id, "from": "+5511987650000", "text": "Oi"}


async def test_a_delivery_gets_its_ack_with_the_api_headers_and_is_counted(
    app: FastAPI, client: AsyncClient
) -> None:
    phone = await _phone(app, client)
    response = await client.post(
        phone.webhook_url,
        json=_message("m-1"),
        headers={"X-Sandbox-Token": phone.token, "x-request-id": "provider-42"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"received": 1, "stored": 1}
    assert response.headers["x-request-id"] == "provider-42"
    assert response.headers["x-content-type-options"] == "nosniff"
    metrics = (await client.get("/metrics")).text
    assert 'route="/webhooks/{channel}/{key}",status="200"' in metrics
    await wait_until_settled(app)


async def test_deliveries_are_answered_before_the_framework_routes_them(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The router holds the endpoint it was declared with; the direct route looks it up in
    # the module at each delivery, so only a delivery answered directly goes through this.
    phone = await _phone(app, client)
    endpoint = webhooks_router.receive_webhook
    answered_directly: list[str] = []

    async def watched(channel: Any, key: str, request: Any) -> Any:
        answered_directly.append(key)
        return await endpoint(channel, key, request)

    monkeypatch.setattr(webhooks_router, "receive_webhook", watched)
    await phone.say("Oi")
    assert answered_directly == [phone.webhook_url.rsplit("/", 1)[1]]
    await wait_until_settled(app)


async def test_an_unknown_channel_or_key_is_a_json_404(app: FastAPI, client: AsyncClient) -> None:
    phone = await _phone(app, client)
    key = phone.webhook_url.rsplit("/", 1)[1]
    for path in (f"/webhooks/whatsapp/{key}", f"/webhooks/cloud_api/{key}", "/webhooks/sandbox/x"):
        response = await client.post(
            path, json=_message("m-1"), headers={"X-Sandbox-Token": phone.token}
        )
        assert response.status_code == 404, path
        assert assert_error_shape(response.json())["code"] == "unknown_webhook"


@pytest.mark.parametrize("settings_overrides", [{"NEXUS_MAX_UPLOAD_BYTES": "2000"}])
async def test_an_oversize_delivery_is_413_and_stores_nothing(
    app: FastAPI, client: AsyncClient
) -> None:
    phone = await _phone(app, client)
    too_big = {**_message("m-big"), "text": "x" * 3000}
    response = await client.post(
        phone.webhook_url, json=too_big, headers={"X-Sandbox-Token": phone.token}
    )
    assert response.status_code == 413
    assert assert_error_shape(response.json())["code"] == "payload_too_large"
    again = await client.post(
        phone.webhook_url, json=_message("m-big"), headers={"X-Sandbox-Token": phone.token}
    )
    assert again.json() == {"received": 1, "stored": 1}  # the refused one left nothing behind
    await wait_until_settled(app)


async def test_a_failure_while_storing_is_a_json_500_without_internals(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone = await _phone(app, client)

    async def broken(*_: object) -> list[object]:
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(app.state.intake, "store", broken)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post(
            phone.webhook_url, json=_message("m-1"), headers={"X-Sandbox-Token": phone.token}
        )
    assert response.status_code == 500  # the provider retries later
    assert assert_error_shape(response.json())["code"] == "internal_error"
    assert "hunter2" not in response.text and "Traceback" not in response.text


async def test_the_delivery_operation_stays_in_the_api_schema(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    operation = schema["paths"][WEBHOOK_DELIVERY.template]["post"]
    assert operation["summary"] == "Receive a provider's webhook delivery"
    assert "200" in operation["responses"] and "403" in operation["responses"]
