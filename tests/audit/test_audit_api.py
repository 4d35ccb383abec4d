from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update

from nexus.models import AuditLog
from tests.fixtures.api import Account, create_user, signup
from tests.fixtures.checks import error_fields


async def entries(client: AsyncClient, account: Account, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/audit", headers=account.headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def actions(page: dict[str, Any]) -> list[str]:
    return [entry["action"] for entry in page["items"]]


class TestList:
    async def test_admins_and_supervisors_read_the_log_newest_first(
        self, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        supervisor = await create_user(client, admin, role="supervisor")
        page = await entries(client, supervisor)
        assert actions(page) == ["auth.login", "user.create", "company.signup"]
        assert [e["sequence"] for e in page["items"]] == [3, 2, 1]
        created = page["items"][1]
        assert created["actor_id"] == admin.user_id
        assert created["actor_email"] == admin.email
        assert created["target_type"] == "user"
        assert created["target_id"] == supervisor.user_id
        assert created["ip_address"] == "203.0.113.10"
        assert page["next_cursor"] is None

    async def test_agents_cannot_read_the_log(self, client: AsyncClient) -> None:
        admin = await signup(client)
        agent = await create_user(client, admin)
        assert (await client.get("/api/audit", headers=agent.headers)).status_code == 403

    async def test_filters(self, client: AsyncClient) -> None:
        admin = await signup(client)
        agent = await create_user(client, admin)
        tag = await client.post("/api/tags", headers=admin.headers, json={"name": "VIP"})
        tag_id = tag.json()["id"]
        await client.patch(f"/api/tags/{tag_id}", headers=admin.headers, json={"name": "Ouro"})

        assert actions(await entries(client, admin, action="tag.")) == ["tag.update", "tag.create"]
        assert actions(await entries(client, admin, action="auth")) == ["auth.login"]
        assert actions(await entries(client, admin, target_type="user")) == [
            "auth.login",
            "user.create",
        ]
        assert actions(await entries(client, admin, target_id=tag_id)) == [
            "tag.update",
            "tag.create",
        ]
        by_agent = await entries(client, admin, actor_id=agent.user_id)
        assert actions(by_agent) == ["auth.login"]
        assert actions(await entries(client, admin, actor_id=str(uuid.uuid4()))) == []

    async def test_time_window(self, app: FastAPI, client: AsyncClient) -> None:
        admin = await signup(client)
        await create_user(client, admin)
        long_ago = datetime(2020, 1, 1, tzinfo=UTC)
        async with app.state.database.write() as session:
            await session.execute(
                update(AuditLog)
                .where(AuditLog.company_id == uuid.UUID(admin.company_id), AuditLog.sequence == 1)
                .values(created_at=long_ago)
            )
        recent = await entries(client, admin, since="2021-01-01T00:00:00Z")
        assert actions(recent) == ["auth.login", "user.create"]
        old = await entries(client, admin, until="2021-01-01T00:00:00+00:00")
        assert actions(old) == ["company.signup"]
        future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        assert actions(await entries(client, admin, since=future)) == []

    async def test_pages_follow_the_cursor(self, client: AsyncClient) -> None:
        admin = await signup(client)
        for _ in range(3):
            await create_user(client, admin)
        seen: list[int] = []
        before: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 2}
            if before:
                params["before"] = before
            page = await entries(client, admin, **params)
            seen += [entry["sequence"] for entry in page["items"]]
            before = page["next_cursor"]
            if before is None:
                break
        assert seen == [7, 6, 5, 4, 3, 2, 1]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"since": "2026-01-01T00:00:00"}, "since"),  # no zone: ambiguous
            ({"until": "yesterday"}, "until"),
            ({"actor_id": "admin"}, "actor_id"),
            ({"before": 0}, "before"),
            ({"limit": 201}, "limit"),
        ],
    )
    async def test_bad_filters_are_named(
        self, client: AsyncClient, params: dict[str, Any], field: str
    ) -> None:
        admin = await signup(client)
        response = await client.get("/api/audit", headers=admin.headers, params=params)
        assert error_fields(response) == {field}

    async def test_each_company_reads_only_its_own_log(self, client: AsyncClient) -> None:
        owner, other = await signup(client), await signup(client)
        await create_user(client, owner)
        page = await entries(client, other)
        assert actions(page) == ["company.signup"]
        assert owner.user_id not in str(page)


class TestVerify:
    async def test_an_untouched_chain_is_intact(self, client: AsyncClient) -> None:
        admin = await signup(client)
        await create_user(client, admin)
        response = await client.get("/api/audit/verify", headers=admin.headers)
        assert response.json() == {"intact": True, "broken_at": None, "entries": 3}

    async def test_an_edited_row_is_reported(self, app: FastAPI, client: AsyncClient) -> None:
        admin = await signup(client)
        await create_user(client, admin)
        other = await signup(client)
        async with app.state.database.write() as session:
            await session.execute(
                update(AuditLog)
                .where(AuditLog.company_id == uuid.UUID(admin.company_id), AuditLog.sequence == 2)
                .values(actor_email="someone-else@empresa.com.br")
            )
        response = await client.get("/api/audit/verify", headers=admin.headers)
        assert response.json() == {"intact": False, "broken_at": 2, "entries": 3}
        untouched = await client.get("/api/audit/verify", headers=other.headers)
        assert untouched.json()["intact"] is True

    async def test_only_admins_verify(self, client: AsyncClient) -> None:
        admin = await signup(client)
        supervisor = await create_user(client, admin, role="supervisor")
        response = await client.get("/api/audit/verify", headers=supervisor.headers)
        assert response.status_code == 403
