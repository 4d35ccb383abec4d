from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.fixtures.api import Account, create_user, signup
from tests.fixtures.checks import audit_entries, error_fields, error_of


async def create_tag(client: AsyncClient, account: Account, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/tags", headers=account.headers, json={"name": "VIP", **fields}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def tag_names(client: AsyncClient, account: Account) -> list[str]:
    response = await client.get("/api/tags", headers=account.headers)
    assert response.status_code == 200, response.text
    return [tag["name"] for tag in response.json()]


class TestCrud:
    async def test_supervisor_manages_tags_and_agents_read_them(self, client: AsyncClient) -> None:
        admin = await signup(client)
        supervisor = await create_user(client, admin, role="supervisor")
        agent = await create_user(client, admin)
        created = await create_tag(client, supervisor, color="#22C55E")
        assert (created["name"], created["color"]) == ("VIP", "#22c55e")
        await create_tag(client, admin, name="Atacado")
        assert await tag_names(client, agent) == ["Atacado", "VIP"]

        url = f"/api/tags/{created['id']}"
        renamed = await client.patch(
            url, headers=supervisor.headers, json={"name": "Cliente VIP", "color": None}
        )
        assert (renamed.json()["name"], renamed.json()["color"]) == ("Cliente VIP", None)
        assert (await client.get(url, headers=agent.headers)).json() == renamed.json()
        assert (await client.delete(url, headers=supervisor.headers)).status_code == 204
        assert await tag_names(client, agent) == ["Atacado"]

        entries = await audit_entries(client, admin, "tag.")
        assert [(e["action"], e["actor_id"]) for e in entries] == [
            ("tag.create", supervisor.user_id),
            ("tag.create", admin.user_id),
            ("tag.update", supervisor.user_id),
            ("tag.delete", supervisor.user_id),
        ]

    async def test_deleting_a_tag_removes_it_from_contacts(self, client: AsyncClient) -> None:
        admin = await signup(client)
        tag = await create_tag(client, admin)
        contact = await client.post(
            "/api/contacts",
            headers=admin.headers,
            json={"phone": "11987654321", "tag_ids": [tag["id"]]},
        )
        assert contact.json()["tag_ids"] == [tag["id"]]
        await client.delete(f"/api/tags/{tag['id']}", headers=admin.headers)
        after = await client.get(f"/api/contacts/{contact.json()['id']}", headers=admin.headers)
        assert after.json()["tag_ids"] == []


class TestValidation:
    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"name": ""}, "name"),
            ({"name": "x" * 61}, "name"),
            ({"color": "green"}, "color"),
            ({"color": "#12345"}, "color"),
            ({"icon": "star"}, "icon"),
        ],
    )
    async def test_invalid_fields_are_named(
        self, client: AsyncClient, fields: dict[str, Any], field: str
    ) -> None:
        admin = await signup(client)
        response = await client.post(
            "/api/tags", headers=admin.headers, json={"name": "VIP", **fields}
        )
        assert error_fields(response) == {field}

    async def test_names_are_unique_ignoring_case(self, client: AsyncClient) -> None:
        admin = await signup(client)
        await create_tag(client, admin, name="VIP")
        again = await client.post("/api/tags", headers=admin.headers, json={"name": "vip"})
        assert error_fields(again, 409) == {"name"}
        other = await create_tag(client, admin, name="Atacado")
        renamed = await client.patch(
            f"/api/tags/{other['id']}", headers=admin.headers, json={"name": "Vip"}
        )
        assert error_of(renamed, 409)["code"] == "name_taken"
        # Changing the case of a tag's own name is not a clash with itself.
        recased = await client.patch(
            f"/api/tags/{other['id']}", headers=admin.headers, json={"name": "ATACADO"}
        )
        assert recased.status_code == 200


class TestAccess:
    async def test_agents_only_read(self, client: AsyncClient) -> None:
        admin = await signup(client)
        agent = await create_user(client, admin)
        created = await create_tag(client, admin)
        url = f"/api/tags/{created['id']}"
        attempts = [
            await client.post("/api/tags", headers=agent.headers, json={"name": "X"}),
            await client.patch(url, headers=agent.headers, json={"name": "X"}),
            await client.delete(url, headers=agent.headers),
        ]
        assert [r.status_code for r in attempts] == [403, 403, 403]
        assert await tag_names(client, agent) == ["VIP"]

    async def test_another_companys_tag_is_not_found(self, client: AsyncClient) -> None:
        owner, intruder = await signup(client), await signup(client)
        created = await create_tag(client, owner)
        url = f"/api/tags/{created['id']}"
        attempts = [
            await client.get(url, headers=intruder.headers),
            await client.patch(url, headers=intruder.headers, json={"name": "Tomado"}),
            await client.delete(url, headers=intruder.headers),
        ]
        assert [r.status_code for r in attempts] == [404, 404, 404]
        assert await tag_names(client, intruder) == []
        # The name is free in the other company.
        await create_tag(client, intruder)
        assert (await client.get(url, headers=owner.headers)).json() == created
