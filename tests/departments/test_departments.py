from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.fixtures.api import Account, create_user, signup
from tests.fixtures.checks import audit_entries, error_fields, error_of
from tests.fixtures.world import World

HOURS = {
    "timezone": "America/Recife",
    "days": {"mon": [["08:00", "12:00"], ["13:00", "18:00"]], "sat": [["09:00", "13:00"]]},
}


async def create_department(client: AsyncClient, admin: Account, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/departments", headers=admin.headers, json={"name": "Vendas", **fields}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def departments(client: AsyncClient, account: Account) -> list[dict[str, Any]]:
    response = await client.get("/api/departments", headers=account.headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


class TestCrud:
    async def test_admin_creates_and_every_user_reads(self, client: AsyncClient) -> None:
        admin = await signup(client)
        agent = await create_user(client, admin)
        created = await create_department(
            client,
            admin,
            slug="vendas",
            color="#FF8800",
            position=2,
            response_timeout_minutes=30,
            max_agents=4,
            routing_rule="round_robin",
            business_hours=HOURS,
        )
        assert created["color"] == "#ff8800"
        assert created["routing_rule"] == "round_robin"
        assert created["business_hours"] == HOURS
        assert created["is_root"] is False

        listed = await departments(client, agent)
        assert [d["slug"] for d in listed] == ["geral", "vendas"]  # by position
        one = await client.get(f"/api/departments/{created['id']}", headers=agent.headers)
        assert one.status_code == 200
        assert one.json() == created

    async def test_slug_is_derived_from_the_name_when_left_out(self, client: AsyncClient) -> None:
        admin = await signup(client)
        created = await create_department(client, admin, name="Pós-Venda Premium")
        assert created["slug"] == "pos-venda-premium"

    async def test_update_changes_only_what_is_given(self, client: AsyncClient) -> None:
        admin = await signup(client)
        created = await create_department(client, admin, color="#123456", max_agents=3)
        response = await client.patch(
            f"/api/departments/{created['id']}",
            headers=admin.headers,
            json={"name": "Vendas B2B", "color": None, "business_hours": {}},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["name"], body["color"], body["max_agents"]) == ("Vendas B2B", None, 3)
        assert body["business_hours"] == {"days": {}}

    async def test_null_is_refused_for_fields_without_an_empty_state(
        self, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        created = await create_department(client, admin)
        response = await client.patch(
            f"/api/departments/{created['id']}", headers=admin.headers, json={"name": None}
        )
        assert error_fields(response) == {"name"}

    async def test_unused_department_is_deleted(self, client: AsyncClient) -> None:
        admin = await signup(client)
        created = await create_department(client, admin)
        url = f"/api/departments/{created['id']}"
        assert (await client.delete(url, headers=admin.headers)).status_code == 204
        assert (await client.get(url, headers=admin.headers)).status_code == 404

    async def test_every_change_is_audited(self, client: AsyncClient) -> None:
        admin = await signup(client)
        created = await create_department(client, admin, slug="vendas")
        url = f"/api/departments/{created['id']}"
        await client.patch(url, headers=admin.headers, json={"position": 5})
        await client.put(f"{url}/members", headers=admin.headers, json={"members": []})
        await client.delete(url, headers=admin.headers)
        entries = await audit_entries(client, admin, "department.")
        assert [e["action"] for e in entries] == [
            "department.create",
            "department.update",
            "department.members_update",
            "department.delete",
        ]
        assert {e["target_id"] for e in entries} == {created["id"]}
        assert all(e["actor_id"] == admin.user_id for e in entries)
        assert entries[1]["data"]["fields"] == ["position"]


class TestValidation:
    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"slug": "Vendas Loja"}, "slug"),
            ({"slug": "-vendas"}, "slug"),
            ({"color": "red"}, "color"),
            ({"response_timeout_minutes": 0}, "response_timeout_minutes"),
            ({"response_timeout_minutes": 1441}, "response_timeout_minutes"),
            ({"max_agents": 0}, "max_agents"),
            ({"routing_rule": "random"}, "routing_rule"),
            ({"business_hours": {"timezone": "Mars/Olympus"}}, "business_hours.timezone"),
            (
                {"business_hours": {"days": {"mon": [["18:00", "08:00"]]}}},
                "business_hours.days.mon.0",
            ),
            (
                {"business_hours": {"days": {"mon": [["8h", "18:00"]]}}},
                "business_hours.days.mon.0.0",
            ),
            ({"business_hours": {"days": {"monday": []}}}, "business_hours.days.monday.[key]"),
            ({"business_hours": {"hours": {}}}, "business_hours.hours"),
            ({"manager": "Ana"}, "manager"),
        ],
    )
    async def test_invalid_fields_are_named(
        self, client: AsyncClient, fields: dict[str, Any], field: str
    ) -> None:
        admin = await signup(client)
        response = await client.post(
            "/api/departments", headers=admin.headers, json={"name": "Vendas", **fields}
        )
        assert error_fields(response) == {field}

    async def test_duplicate_slug_is_a_conflict_naming_the_field(self, client: AsyncClient) -> None:
        admin = await signup(client)
        await create_department(client, admin, slug="vendas")
        again = await client.post(
            "/api/departments", headers=admin.headers, json={"name": "Outro", "slug": "vendas"}
        )
        assert error_fields(again, 409) == {"slug"}
        other = await create_department(client, admin, slug="suporte")
        renamed = await client.patch(
            f"/api/departments/{other['id']}", headers=admin.headers, json={"slug": "geral"}
        )
        assert error_of(renamed, 409)["code"] == "slug_taken"

    async def test_the_same_slug_is_free_in_another_company(self, client: AsyncClient) -> None:
        first, second = await signup(client), await signup(client)
        await create_department(client, first, slug="vendas")
        await create_department(client, second, slug="vendas")


class TestRoot:
    async def test_making_a_department_root_unroots_the_previous_one(
        self, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        created = await create_department(client, admin, is_root=True)
        roots = [d["slug"] for d in await departments(client, admin) if d["is_root"]]
        assert roots == [created["slug"]]

        geral = next(d for d in await departments(client, admin) if d["slug"] == "geral")
        response = await client.patch(
            f"/api/departments/{geral['id']}", headers=admin.headers, json={"is_root": True}
        )
        assert response.status_code == 200
        roots = [d["slug"] for d in await departments(client, admin) if d["is_root"]]
        assert roots == ["geral"]

    async def test_the_root_cannot_be_deleted_unrooted_or_deactivated(
        self, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        root = next(d for d in await departments(client, admin) if d["is_root"])
        url = f"/api/departments/{root['id']}"
        assert error_of(await client.delete(url, headers=admin.headers), 409)["code"] == (
            "root_department"
        )
        unroot = await client.patch(url, headers=admin.headers, json={"is_root": False})
        assert error_of(unroot, 409)["code"] == "root_required"
        deactivate = await client.patch(url, headers=admin.headers, json={"is_active": False})
        assert error_of(deactivate, 409)["code"] == "root_inactive"
        assert (await client.get(url, headers=admin.headers)).json() == root


async def test_a_department_with_conversations_is_not_deleted(
    app: FastAPI, client: AsyncClient
) -> None:
    admin = await signup(client)
    world = World(app=app, client=client, admin=admin)
    created = await create_department(client, admin, slug="vendas")
    world.departments["vendas"] = uuid.UUID(created["id"])
    await world.customer_arrives("vendas")
    response = await client.delete(f"/api/departments/{created['id']}", headers=admin.headers)
    assert error_of(response, 409)["code"] == "department_in_use"
    assert len(await departments(client, admin)) == 2


class TestMembers:
    async def test_members_are_replaced_and_listed_with_role_and_presence(
        self, app: FastAPI, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        world = World(app=app, client=client, admin=admin)
        agent = await create_user(client, admin)
        supervisor = await create_user(client, admin, role="supervisor")
        await world.set_presence(agent, "online")
        created = await create_department(client, admin)
        url = f"/api/departments/{created['id']}"

        response = await client.put(
            f"{url}/members",
            headers=admin.headers,
            json={
                "members": [
                    {"user_id": agent.user_id},
                    {"user_id": supervisor.user_id, "role": "supervisor"},
                ]
            },
        )
        assert response.status_code == 200, response.text
        listed = await client.get(f"{url}/agents", headers=agent.headers)
        assert listed.status_code == 200
        by_id = {member["id"]: member for member in listed.json()}
        assert by_id.keys() == {agent.user_id, supervisor.user_id}
        assert by_id[agent.user_id]["membership_role"] == "member"
        assert by_id[agent.user_id]["presence"] == "online"
        assert by_id[supervisor.user_id]["membership_role"] == "supervisor"
        assert by_id[supervisor.user_id]["presence"] == "offline"

        replaced = await client.put(
            f"{url}/members", headers=admin.headers, json={"members": [{"user_id": agent.user_id}]}
        )
        assert [member["id"] for member in replaced.json()] == [agent.user_id]
        me = await client.get(f"/api/users/{supervisor.user_id}", headers=admin.headers)
        assert me.json()["departments"] == []

    async def test_users_of_another_company_are_refused_by_position(
        self, client: AsyncClient
    ) -> None:
        admin, stranger_admin = await signup(client), await signup(client)
        agent = await create_user(client, admin)
        stranger = await create_user(client, stranger_admin)
        created = await create_department(client, admin)
        response = await client.put(
            f"/api/departments/{created['id']}/members",
            headers=admin.headers,
            json={"members": [{"user_id": agent.user_id}, {"user_id": stranger.user_id}]},
        )
        assert error_fields(response) == {"members.1.user_id"}
        listed = await client.get(f"/api/departments/{created['id']}/agents", headers=admin.headers)
        assert listed.json() == []

    async def test_a_user_listed_twice_is_refused(self, client: AsyncClient) -> None:
        admin = await signup(client)
        agent = await create_user(client, admin)
        created = await create_department(client, admin)
        member = {"user_id": agent.user_id}
        response = await client.put(
            f"/api/departments/{created['id']}/members",
            headers=admin.headers,
            json={"members": [member, member]},
        )
        assert error_fields(response) == {"members"}


class TestAccess:
    @pytest.mark.parametrize("role", ["agent", "supervisor"])
    async def test_only_admins_change_departments(self, client: AsyncClient, role: str) -> None:
        admin = await signup(client)
        user = await create_user(client, admin, role=role)
        created = await create_department(client, admin)
        url = f"/api/departments/{created['id']}"
        attempts = [
            await client.post("/api/departments", headers=user.headers, json={"name": "X"}),
            await client.patch(url, headers=user.headers, json={"name": "X"}),
            await client.delete(url, headers=user.headers),
            await client.put(f"{url}/members", headers=user.headers, json={"members": []}),
        ]
        assert [r.status_code for r in attempts] == [403, 403, 403, 403]
        assert (await client.get(url, headers=admin.headers)).json()["name"] == "Vendas"

    async def test_another_companys_department_is_not_found(self, client: AsyncClient) -> None:
        owner, intruder = await signup(client), await signup(client)
        created = await create_department(client, owner)
        url = f"/api/departments/{created['id']}"
        attempts = [
            await client.get(url, headers=intruder.headers),
            await client.get(f"{url}/agents", headers=intruder.headers),
            await client.patch(url, headers=intruder.headers, json={"name": "Tomado"}),
            await client.put(f"{url}/members", headers=intruder.headers, json={"members": []}),
            await client.delete(url, headers=intruder.headers),
        ]
        assert [r.status_code for r in attempts] == [404] * 5
        assert (
            created["id"]
            not in (await client.get("/api/departments", headers=intruder.headers)).text
        )
        assert (await client.get(url, headers=owner.headers)).json() == created
