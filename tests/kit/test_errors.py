"""Bad input gets a clear error in the one JSON shape, and changes nothing."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from tests.fixtures.api import signup


def assert_error_shape(body: dict[str, object]) -> dict[str, object]:
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    return error


async def test_malformed_json_is_400(client: AsyncClient) -> None:
    response = await client.post(
        "/api/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert assert_error_shape(response.json())["code"] == "malformed_json"


async def test_wrong_types_name_each_field(client: AsyncClient) -> None:
    account = await signup(client)
    response = await client.post(
        "/api/users",
        headers=account.headers,
        json={
            "email": "x@empresa.com.br",
            "name": "X",
            "password": "long-enough",
            "max_conversations": "many",
            "role": "king",
        },
    )
    assert response.status_code == 422
    error = assert_error_shape(response.json())
    assert {d["field"] for d in error["details"]} == {"max_conversations", "role"}  # type: ignore[union-attr,index]


async def test_unknown_fields_are_refused(client: AsyncClient) -> None:
    account = await signup(client)
    response = await client.post(
        "/api/users",
        headers=account.headers,
        json={
            "email": "x@empresa.com.br",
            "name": "X",
            "password": "long-enough",
            "is_admin": True,
        },
    )
    assert response.status_code == 422
    assert assert_error_shape(response.json())["details"][0]["field"] == "is_admin"  # type: ignore[index]
    users = await client.get("/api/users", headers=account.headers)
    assert len(users.json()) == 1  # nothing was created


async def test_oversize_body_is_413(client: AsyncClient) -> None:
    response = await client.post(
        "/api/auth/login", content=b"x" * 2_000_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert assert_error_shape(response.json())["code"] == "payload_too_large"


async def test_unknown_api_route_is_a_json_404(client: AsyncClient) -> None:
    response = await client.get("/api/nothing-here")
    assert response.status_code == 404
    assert assert_error_shape(response.json())["code"] == "route_not_found"


async def test_wrong_method_is_405_in_the_same_shape(client: AsyncClient) -> None:
    response = await client.put("/api/auth/me")
    assert response.status_code in (404, 405)
    assert_error_shape(response.json())


async def test_unexpected_errors_do_not_leak_a_stack_trace(app: FastAPI) -> None:
    @app.get("/test-explode")
    async def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/test-explode")
    assert response.status_code == 500
    error = assert_error_shape(response.json())
    assert error["code"] == "internal_error"
    assert "hunter2" not in response.text and "Traceback" not in response.text


async def test_responses_carry_security_headers_and_request_id(client: AsyncClient) -> None:
    response = await client.get("/health", headers={"x-request-id": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("settings_overrides", [{"NEXUS_RATE_LIMIT_IP": "5/minute"}])
async def test_api_is_rate_limited_per_ip_but_webhooks_are_not(client: AsyncClient) -> None:
    statuses = [(await client.get("/api/auth/me")).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    limited = await client.get("/api/auth/me")
    assert_error_shape(limited.json())
    # Providers' webhooks are never throttled (a 429 makes them drop events).
    webhook = await client.post("/webhooks/cloud_api/unknown-key", json={})
    assert webhook.status_code != 429


@pytest.mark.parametrize("settings_overrides", [{"NEXUS_RATE_LIMIT_USER": "3/minute"}])
async def test_api_is_rate_limited_per_user(client: AsyncClient) -> None:
    account = await signup(client)
    statuses = [
        (await client.get("/api/auth/me", headers=account.headers)).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
