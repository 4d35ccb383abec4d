"""Who may open a socket: a valid access token of an active account, nobody else."""

from __future__ import annotations

import uuid

import pytest

from nexus.kit.security import create_access_token
from tests.fixtures.api import create_user, signup
from tests.fixtures.live_server import LiveServer, RefusedError


async def _refusal(live: LiveServer, token: str | None) -> object:
    with pytest.raises(RefusedError) as refused:
        await live.socket(token)
    return refused.value.data


async def test_without_a_token_the_socket_is_refused(live_server: LiveServer) -> None:
    assert await _refusal(live_server, None) == {
        "message": "unauthorized",
        "data": {"code": "unauthorized"},
    }


async def test_a_garbage_token_is_refused(live_server: LiveServer) -> None:
    refusal = await _refusal(live_server, "not-a-jwt")
    assert refusal == {"message": "unauthorized", "data": {"code": "invalid_token"}}


async def test_an_expired_token_is_refused(live_server: LiveServer) -> None:
    admin = await signup(live_server.http)
    settings = live_server.app.state.settings
    expired, _ = create_access_token(
        secret=settings.secret_key,
        user_id=uuid.UUID(admin.user_id),
        company_id=uuid.UUID(admin.company_id),
        role="admin",
        minutes=-1,
    )
    refusal = await _refusal(live_server, expired)
    assert refusal == {"message": "unauthorized", "data": {"code": "token_expired"}}


async def test_a_token_signed_with_another_key_is_refused(live_server: LiveServer) -> None:
    admin = await signup(live_server.http)
    forged, _ = create_access_token(
        secret="another-secret-key-0123456789abcdef0123456789",
        user_id=uuid.UUID(admin.user_id),
        company_id=uuid.UUID(admin.company_id),
        role="admin",
        minutes=5,
    )
    refusal = await _refusal(live_server, forged)
    assert refusal == {"message": "unauthorized", "data": {"code": "invalid_token"}}


async def test_a_deactivated_account_is_refused_and_its_open_sockets_are_closed(
    live_server: LiveServer,
) -> None:
    http = live_server.http
    admin = await signup(http)
    agent = await create_user(http, admin)
    tabs = [await live_server.socket(agent.token) for _ in range(2)]

    response = await http.delete(f"/api/users/{agent.user_id}", headers=admin.headers)
    assert response.status_code == 200, response.text

    for tab in tabs:
        await tab.wait_disconnected()
        assert not tab.sio.connected
    refusal = await _refusal(live_server, agent.token)  # the access token has not expired
    assert refusal == {"message": "unauthorized", "data": {"code": "inactive_account"}}


async def test_a_valid_token_connects(live_server: LiveServer) -> None:
    admin = await signup(live_server.http)
    client = await live_server.socket(admin.token)
    assert client.sio.connected
    assert await client.call("heartbeat") == {"ok": True, "status": "offline"}
