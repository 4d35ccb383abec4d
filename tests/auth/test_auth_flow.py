from __future__ import annotations

from httpx import AsyncClient

from tests.fixtures.api import PASSWORD, signup


async def test_signup_then_login_and_me(client: AsyncClient) -> None:
    account = await signup(client, "Padaria Central")
    me = await client.get("/api/auth/me", headers=account.headers)
    assert me.status_code == 200
    assert me.json()["role"] == "admin"
    assert me.json()["email"] == account.email

    login = await client.post(
        "/api/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert login.status_code == 200
    assert "nexus_refresh" in login.cookies
