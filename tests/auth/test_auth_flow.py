from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from httpx import AsyncClient

from tests.fixtures.api import PASSWORD, create_user, login, signup

REFRESH = "nexus_refresh"


def _error_code(response: object) -> str:
    return response.json()["error"]["code"]  # type: ignore[attr-defined,no-any-return]


class TestSignup:
    async def test_creates_company_admin_and_session(self, client: AsyncClient) -> None:
        account = await signup(client, "Padaria Central")
        me = await client.get("/api/auth/me", headers=account.headers)
        assert me.status_code == 200
        assert me.json()["role"] == "admin"
        assert me.json()["company_id"] == account.company_id

    async def test_duplicate_email_is_a_conflict_naming_the_field(
        self, client: AsyncClient
    ) -> None:
        account = await signup(client)
        response = await client.post(
            "/api/auth/signup",
            json={
                "company_name": "Outra",
                "name": "X",
                "email": account.email,
                "password": PASSWORD,
            },
        )
        assert response.status_code == 409
        assert response.json()["error"]["details"][0]["field"] == "email"

    async def test_weak_password_and_bad_email_are_refused(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/auth/signup",
            json={"company_name": "Loja", "name": "X", "email": "not-an-email", "password": "123"},
        )
        assert response.status_code == 422
        fields = {detail["field"] for detail in response.json()["error"]["details"]}
        assert fields == {"email", "password"}


@pytest.mark.parametrize("settings_overrides", [{"NEXUS_SIGNUP_ENABLED": "false"}])
async def test_signup_can_be_switched_off(client: AsyncClient) -> None:
    response = await client.post(
        "/api/auth/signup",
        json={"company_name": "Loja", "name": "X", "email": "a@loja.com.br", "password": PASSWORD},
    )
    assert response.status_code == 403
    assert _error_code(response) == "signup_disabled"


class TestLogin:
    async def test_wrong_password_is_401_and_audited(self, client: AsyncClient) -> None:
        account = await signup(client)
        response = await client.post(
            "/api/auth/login", json={"email": account.email, "password": "wrong-password"}
        )
        assert response.status_code == 401
        assert _error_code(response) == "invalid_credentials"
        audit = await client.get(
            "/api/audit", headers=account.headers, params={"action": "auth.login_failed"}
        )
        assert audit.status_code == 200
        assert [entry["action"] for entry in audit.json()["items"]] == ["auth.login_failed"]

    async def test_unknown_email_gets_the_same_answer(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/auth/login", json={"email": "nobody@nowhere.com.br", "password": "whatever1"}
        )
        assert response.status_code == 401
        assert _error_code(response) == "invalid_credentials"

    async def test_email_is_case_insensitive(self, client: AsyncClient) -> None:
        account = await signup(client)
        assert (await login(client, account.email.upper())).user_id == account.user_id

    async def test_deactivated_user_cannot_sign_in(self, client: AsyncClient) -> None:
        admin = await signup(client)
        agent = await create_user(client, admin)
        response = await client.delete(f"/api/users/{agent.user_id}", headers=admin.headers)
        assert response.status_code == 200
        response = await client.post(
            "/api/auth/login", json={"email": agent.email, "password": PASSWORD}
        )
        assert response.status_code == 401
        # The access token it already had stops working too.
        assert (await client.get("/api/auth/me", headers=agent.headers)).status_code == 401


class TestRefreshRotation:
    async def test_refresh_rotates_the_cookie(self, client: AsyncClient) -> None:
        account = await signup(client)
        first_cookie = client.cookies[REFRESH]
        response = await client.post("/api/auth/refresh")
        assert response.status_code == 200
        assert response.json()["user"]["id"] == account.user_id
        assert client.cookies[REFRESH] != first_cookie
        me = await client.get(
            "/api/auth/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}
        )
        assert me.status_code == 200

    async def test_reusing_a_rotated_token_revokes_the_whole_family(
        self, client: AsyncClient
    ) -> None:
        await signup(client)
        stolen = client.cookies[REFRESH]
        assert (await client.post("/api/auth/refresh")).status_code == 200
        current = client.cookies[REFRESH]

        client.cookies.set(REFRESH, stolen, path="/api/auth")
        replay = await client.post("/api/auth/refresh")
        assert replay.status_code == 401
        assert _error_code(replay) == "session_expired"

        # The legitimate holder's newer token died with the family.
        client.cookies.set(REFRESH, current, path="/api/auth")
        assert (await client.post("/api/auth/refresh")).status_code == 401

    async def test_logout_ends_the_session(self, client: AsyncClient) -> None:
        await signup(client)
        token = client.cookies[REFRESH]
        assert (await client.post("/api/auth/logout")).status_code == 204
        client.cookies.set(REFRESH, token, path="/api/auth")
        assert (await client.post("/api/auth/refresh")).status_code == 401

    async def test_refresh_without_cookie_is_401(self, client: AsyncClient) -> None:
        response = await client.post("/api/auth/refresh")
        assert response.status_code == 401
        assert _error_code(response) == "no_refresh_token"

    async def test_cookie_is_httponly_and_samesite(self, client: AsyncClient) -> None:
        account = await signup(client)
        response = await client.post(
            "/api/auth/login", json={"email": account.email, "password": PASSWORD}
        )
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert "path=/api/auth" in cookie


class TestAccessTokens:
    async def test_missing_garbage_and_expired_tokens_are_refused(
        self, client: AsyncClient
    ) -> None:
        account = await signup(client)
        assert (await client.get("/api/auth/me")).status_code == 401
        garbage = await client.get("/api/auth/me", headers={"Authorization": "Bearer x.y.z"})
        assert _error_code(garbage) == "invalid_token"
        claims = jwt.decode(account.token, options={"verify_signature": False})
        claims["exp"] = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
        expired = jwt.encode(claims, "test-secret-key-0123456789abcdef0123456789", "HS256")
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {expired}"})
        assert response.status_code == 401
        assert _error_code(response) == "token_expired"

    async def test_a_token_signed_with_another_key_is_refused(self, client: AsyncClient) -> None:
        account = await signup(client)
        claims = jwt.decode(account.token, options={"verify_signature": False})
        forged = jwt.encode(claims, "another-secret-key-0123456789abcdef0123", "HS256")
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401


@pytest.mark.parametrize("settings_overrides", [{"NEXUS_RATE_LIMIT_LOGIN_ACCOUNT": "3/minute"}])
async def test_login_attempts_are_limited_per_account(client: AsyncClient) -> None:
    account = await signup(client)
    for _ in range(3):
        response = await client.post(
            "/api/auth/login", json={"email": account.email, "password": "wrong-password"}
        )
        assert response.status_code == 401
    blocked = await client.post(
        "/api/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert _error_code(blocked) == "rate_limited"
    assert int(blocked.headers["retry-after"]) >= 1


@pytest.mark.parametrize("settings_overrides", [{"NEXUS_RATE_LIMIT_LOGIN_IP": "2/minute"}])
async def test_login_attempts_are_limited_per_ip(client: AsyncClient) -> None:
    statuses = [
        (
            await client.post(
                "/api/auth/login", json={"email": f"u{i}@loja.com.br", "password": "whatever1"}
            )
        ).status_code
        for i in range(3)
    ]
    assert statuses == [401, 401, 429]
