from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update

from nexus.models import Conversation
from tests.fixtures.api import Account, create_user, signup
from tests.fixtures.checks import audit_entries, error_fields, error_of
from tests.fixtures.world import World

SYSTEM_REASON = "Encerrado por inatividade"


async def create_reason(client: AsyncClient, admin: Account, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/closing-reasons", headers=admin.headers, json={"name": "Resolvido", **fields}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def reasons(client: AsyncClient, account: Account, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/api/closing-reasons", headers=account.headers, params=params)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def system_reason(client: AsyncClient, admin: Account) -> dict[str, Any]:
    return next(r for r in await reasons(client, admin) if r["is_system"])


class TestCrud:
    async def test_admin_creates_and_every_user_lists(self, client: AsyncClient) -> None:
        admin = await signup(client)
        agent = await create_user(client, admin)
        created = await create_reason(client, admin, description="Dúvida respondida", position=1)
        assert (created["name"], created["is_system"], created["is_active"]) == (
            "Resolvido",
            False,
            True,
        )
        listed = await reasons(client, agent)
        assert [r["name"] for r in listed] == ["Resolvido", SYSTEM_REASON]  # by position
        one = await client.get(f"/api/closing-reasons/{created['id']}", headers=agent.headers)
        assert one.json() == created

    async def test_inactive_reasons_can_be_filtered_out(self, client: AsyncClient) -> None:
        admin = await signup(client)
        await create_reason(client, admin, name="Antigo", is_active=False)
        await create_reason(client, admin, name="Venda")
        active = await reasons(client, admin, is_active=True)
        assert [r["name"] for r in active] == ["Venda", SYSTEM_REASON]

    async def test_update_and_delete_are_audited(self, client: AsyncClient) -> None:
        admin = await signup(client)
        created = await create_reason(client, admin)
        url = f"/api/closing-reasons/{created['id']}"
        response = await client.patch(
            url, headers=admin.headers, json={"name": "Resolvido no contato", "description": None}
        )
        assert response.json()["name"] == "Resolvido no contato"
        assert (await client.delete(url, headers=admin.headers)).status_code == 204
        assert (await client.get(url, headers=admin.headers)).status_code == 404
        entries = await audit_entries(client, admin, "closing_reason.")
        assert [e["action"] for e in entries] == [
            "closing_reason.create",
            "closing_reason.update",
            "closing_reason.delete",
        ]
        assert entries[1]["data"]["fields"] == ["description", "name"]


class TestRules:
    async def test_names_are_unique_ignoring_case(self, client: AsyncClient) -> None:
        admin = await signup(client)
        await create_reason(client, admin, name="Resolvido")
        again = await client.post(
            "/api/closing-reasons", headers=admin.headers, json={"name": "RESOLVIDO"}
        )
        assert error_fields(again, 409) == {"name"}
        other = await create_reason(client, admin, name="Venda")
        renamed = await client.patch(
            f"/api/closing-reasons/{other['id']}",
            headers=admin.headers,
            json={"name": SYSTEM_REASON.lower()},
        )
        assert error_of(renamed, 409)["code"] == "name_taken"

    async def test_a_system_reason_is_neither_renamed_nor_deleted(
        self, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        system = await system_reason(client, admin)
        url = f"/api/closing-reasons/{system['id']}"
        renamed = await client.patch(url, headers=admin.headers, json={"name": "Expirado"})
        assert error_fields(renamed, 409) == {"name"}
        deleted = await client.delete(url, headers=admin.headers)
        assert error_of(deleted, 409)["code"] == "system_closing_reason"
        assert (await client.get(url, headers=admin.headers)).json()["name"] == SYSTEM_REASON

    async def test_a_system_reason_can_still_be_described_and_moved(
        self, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        system = await system_reason(client, admin)
        response = await client.patch(
            f"/api/closing-reasons/{system['id']}",
            headers=admin.headers,
            json={"name": SYSTEM_REASON, "description": "Sem resposta em 24 h", "position": 3},
        )
        assert response.status_code == 200, response.text
        assert (response.json()["description"], response.json()["position"]) == (
            "Sem resposta em 24 h",
            3,
        )

    async def test_a_reason_that_closed_conversations_is_not_deleted(
        self, app: FastAPI, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        created = await create_reason(client, admin)
        conversation_id = await World(app=app, client=client, admin=admin).customer_arrives()
        async with app.state.database.write() as session:
            await session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(closing_reason_id=uuid.UUID(created["id"]))
            )
        response = await client.delete(
            f"/api/closing-reasons/{created['id']}", headers=admin.headers
        )
        assert error_of(response, 409)["code"] == "closing_reason_in_use"

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"name": ""}, "name"),
            ({"name": "x" * 121}, "name"),
            ({"description": "x" * 501}, "description"),
            ({"position": -1}, "position"),
            ({"is_system": True}, "is_system"),
        ],
    )
    async def test_invalid_fields_are_named(
        self, client: AsyncClient, fields: dict[str, Any], field: str
    ) -> None:
        admin = await signup(client)
        response = await client.post(
            "/api/closing-reasons", headers=admin.headers, json={"name": "Resolvido", **fields}
        )
        assert error_fields(response) == {field}


class TestAccess:
    @pytest.mark.parametrize("role", ["agent", "supervisor"])
    async def test_only_admins_change_reasons(self, client: AsyncClient, role: str) -> None:
        admin = await signup(client)
        user = await create_user(client, admin, role=role)
        created = await create_reason(client, admin)
        url = f"/api/closing-reasons/{created['id']}"
        attempts = [
            await client.post("/api/closing-reasons", headers=user.headers, json={"name": "X"}),
            await client.patch(url, headers=user.headers, json={"name": "X"}),
            await client.delete(url, headers=user.headers),
        ]
        assert [r.status_code for r in attempts] == [403, 403, 403]

    async def test_another_companys_reason_is_not_found(self, client: AsyncClient) -> None:
        owner, intruder = await signup(client), await signup(client)
        created = await create_reason(client, owner)
        url = f"/api/closing-reasons/{created['id']}"
        attempts = [
            await client.get(url, headers=intruder.headers),
            await client.patch(url, headers=intruder.headers, json={"name": "Tomado"}),
            await client.delete(url, headers=intruder.headers),
        ]
        assert [r.status_code for r in attempts] == [404, 404, 404]
        assert created["id"] not in str(await reasons(client, intruder))
        assert (await client.get(url, headers=owner.headers)).json() == created
