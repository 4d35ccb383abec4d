from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.fixtures.api import Account, create_user, signup
from tests.fixtures.checks import audit_entries, error_fields, error_of
from tests.fixtures.world import World


async def create_contact(
    client: AsyncClient, account: Account, phone: str = "(11) 98765-4321", **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/contacts", headers=account.headers, json={"phone": phone, **fields}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def create_tag(client: AsyncClient, admin: Account, name: str) -> str:
    response = await client.post("/api/tags", headers=admin.headers, json={"name": name})
    assert response.status_code == 201, response.text
    tag_id: str = response.json()["id"]
    return tag_id


async def search(client: AsyncClient, account: Account, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/contacts", headers=account.headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestCrud:
    async def test_any_user_creates_a_contact_with_a_normalised_phone(
        self, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        agent = await create_user(client, admin)
        vip = await create_tag(client, admin, "VIP")
        created = await create_contact(
            client,
            agent,
            name="Maria Souza",
            email="maria@cliente.com.br",
            custom_fields={"cpf": "123.456.789-00", "pedidos": 3, "vip": True, "nota": 4.5},
            tag_ids=[vip],
        )
        assert created["phone"] == "+5511987654321"
        assert created["custom_fields"] == {
            "cpf": "123.456.789-00",
            "pedidos": 3,
            "vip": True,
            "nota": 4.5,
        }
        assert created["tag_ids"] == [vip]
        assert created["opt_out"] is False
        fetched = await client.get(f"/api/contacts/{created['id']}", headers=agent.headers)
        assert fetched.json() == created

    async def test_patch_changes_only_what_is_given(self, client: AsyncClient) -> None:
        admin = await signup(client)
        agent = await create_user(client, admin)
        vip = await create_tag(client, admin, "VIP")
        created = await create_contact(
            client, admin, name="Maria", email="maria@cliente.com.br", tag_ids=[vip]
        )
        response = await client.patch(
            f"/api/contacts/{created['id']}",
            headers=agent.headers,
            json={"phone": "+55 21 99876-5432", "email": None, "opt_out": True, "tag_ids": []},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["phone"] == "+5521998765432"
        assert (body["name"], body["email"], body["opt_out"]) == ("Maria", None, True)
        assert body["tag_ids"] == []

    async def test_the_phone_cannot_be_removed(self, client: AsyncClient) -> None:
        admin = await signup(client)
        created = await create_contact(client, admin)
        response = await client.patch(
            f"/api/contacts/{created['id']}", headers=admin.headers, json={"phone": None}
        )
        assert error_fields(response) == {"phone"}

    async def test_supervisors_delete_contacts_without_conversations(
        self, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        supervisor = await create_user(client, admin, role="supervisor")
        created = await create_contact(client, admin)
        url = f"/api/contacts/{created['id']}"
        assert (await client.delete(url, headers=supervisor.headers)).status_code == 204
        assert (await client.get(url, headers=admin.headers)).status_code == 404

    async def test_a_contact_with_conversations_is_not_deleted(
        self, app: FastAPI, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        await World(app=app, client=client, admin=admin).customer_arrives()
        contact = (await search(client, admin))["items"][0]
        response = await client.delete(f"/api/contacts/{contact['id']}", headers=admin.headers)
        assert error_of(response, 409)["code"] == "contact_has_conversations"

    async def test_changes_are_audited_without_personal_data(self, client: AsyncClient) -> None:
        admin = await signup(client)
        created = await create_contact(client, admin, name="Maria")
        url = f"/api/contacts/{created['id']}"
        await client.patch(url, headers=admin.headers, json={"name": "Maria Souza"})
        await client.delete(url, headers=admin.headers)
        entries = await audit_entries(client, admin, "contact.")
        assert [e["action"] for e in entries] == [
            "contact.create",
            "contact.update",
            "contact.delete",
        ]
        assert {e["target_id"] for e in entries} == {created["id"]}
        assert "Maria" not in str(entries) and "98765" not in str(entries)


class TestValidation:
    @pytest.mark.parametrize("phone", ["abc", "123", "11 9876-543", "+999 1234 5678"])
    async def test_an_invalid_phone_is_named(self, client: AsyncClient, phone: str) -> None:
        admin = await signup(client)
        response = await client.post("/api/contacts", headers=admin.headers, json={"phone": phone})
        assert error_fields(response) == {"phone"}

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"email": "not-an-email"}, "email"),
            ({"name": ""}, "name"),
            ({"opt_out": "maybe"}, "opt_out"),
            ({"tag_ids": ["not-a-uuid"]}, "tag_ids.0"),
            ({"whatsapp": "x"}, "whatsapp"),
            ({"custom_fields": {f"campo{i}": i for i in range(51)}}, "custom_fields"),
        ],
    )
    async def test_invalid_fields_are_named(
        self, client: AsyncClient, fields: dict[str, Any], field: str
    ) -> None:
        admin = await signup(client)
        response = await client.post(
            "/api/contacts", headers=admin.headers, json={"phone": "11987654321", **fields}
        )
        assert error_fields(response) == {field}

    async def test_custom_field_values_are_scalars(self, client: AsyncClient) -> None:
        admin = await signup(client)
        response = await client.post(
            "/api/contacts",
            headers=admin.headers,
            json={"phone": "11987654321", "custom_fields": {"enderecos": ["a", "b"]}},
        )
        assert all(field.startswith("custom_fields.enderecos") for field in error_fields(response))

    async def test_a_duplicate_phone_in_any_format_is_a_conflict(self, client: AsyncClient) -> None:
        admin = await signup(client)
        await create_contact(client, admin, "+55 11 98765-4321")
        response = await client.post(
            "/api/contacts", headers=admin.headers, json={"phone": "011987654321"}
        )
        assert error_fields(response, 409) == {"phone"}
        other = await create_contact(client, admin, "21998765432")
        moved = await client.patch(
            f"/api/contacts/{other['id']}", headers=admin.headers, json={"phone": "11987654321"}
        )
        assert error_of(moved, 409)["code"] == "phone_taken"

    async def test_keeping_the_own_phone_is_not_a_conflict(self, client: AsyncClient) -> None:
        admin = await signup(client)
        created = await create_contact(client, admin)
        response = await client.patch(
            f"/api/contacts/{created['id']}",
            headers=admin.headers,
            json={"phone": created["phone"], "name": "Maria"},
        )
        assert response.status_code == 200, response.text

    async def test_the_same_phone_is_free_in_another_company(self, client: AsyncClient) -> None:
        await create_contact(client, await signup(client))
        await create_contact(client, await signup(client))

    async def test_tags_of_another_company_are_refused(self, client: AsyncClient) -> None:
        admin, stranger = await signup(client), await signup(client)
        foreign_tag = await create_tag(client, stranger, "VIP")
        response = await client.post(
            "/api/contacts",
            headers=admin.headers,
            json={"phone": "11987654321", "tag_ids": [foreign_tag]},
        )
        assert error_fields(response) == {"tag_ids"}
        assert (await search(client, admin))["items"] == []


class TestSearch:
    async def test_matches_name_phone_and_email_ignoring_case(self, client: AsyncClient) -> None:
        admin = await signup(client)
        maria = await create_contact(
            client, admin, "11987654321", name="Maria Souza", email="maria@loja.com.br"
        )
        joao = await create_contact(
            client, admin, "21998765432", name="João Lima", email="JOAO@Empresa.com"
        )

        async def found(text: str) -> set[str]:
            return {c["id"] for c in (await search(client, admin, search=text))["items"]}

        assert await found("SOUZA") == {maria["id"]}
        assert await found("(21) 99876") == {joao["id"]}
        assert await found("987654321") == {maria["id"]}
        assert await found("empresa.com") == {joao["id"]}
        assert await found("loja") == {maria["id"]}
        assert await found("+55") == {maria["id"], joao["id"]}
        assert await found("pedro") == set()
        assert await found("%") == set()  # a LIKE wildcard is searched as a character

    async def test_pages_follow_the_cursor_newest_first(self, client: AsyncClient) -> None:
        admin = await signup(client)
        created = [await create_contact(client, admin, f"1198765430{i}") for i in range(5)]
        expected = [c["id"] for c in reversed(created)]

        seen: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = await search(client, admin, **params)
            seen += [c["id"] for c in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == expected
        assert pages == 3

    async def test_a_page_that_fits_has_no_next_cursor(self, client: AsyncClient) -> None:
        admin = await signup(client)
        await create_contact(client, admin)
        page = await search(client, admin, limit=1)
        assert len(page["items"]) == 1 and page["next_cursor"] is None

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"cursor": "not-a-cursor"}, "cursor"),
            ({"limit": 0}, "limit"),
            ({"limit": 101}, "limit"),
        ],
    )
    async def test_bad_paging_is_named(
        self, client: AsyncClient, params: dict[str, Any], field: str
    ) -> None:
        admin = await signup(client)
        response = await client.get("/api/contacts", headers=admin.headers, params=params)
        assert error_fields(response) == {field}


class TestAccess:
    async def test_agents_cannot_delete(self, client: AsyncClient) -> None:
        admin = await signup(client)
        agent = await create_user(client, admin)
        created = await create_contact(client, agent)
        response = await client.delete(f"/api/contacts/{created['id']}", headers=agent.headers)
        assert response.status_code == 403
        assert (
            await client.get(f"/api/contacts/{created['id']}", headers=admin.headers)
        ).status_code == 200

    async def test_another_companys_contact_is_not_found(self, client: AsyncClient) -> None:
        owner, intruder = await signup(client), await signup(client)
        created = await create_contact(client, owner, name="Maria")
        url = f"/api/contacts/{created['id']}"
        attempts = [
            await client.get(url, headers=intruder.headers),
            await client.patch(url, headers=intruder.headers, json={"name": "Tomado"}),
            await client.delete(url, headers=intruder.headers),
        ]
        assert [r.status_code for r in attempts] == [404, 404, 404]
        assert (await search(client, intruder, search="Maria"))["items"] == []
        assert (await client.get(url, headers=owner.headers)).json() == created

    async def test_unknown_ids_are_not_found(self, client: AsyncClient) -> None:
        admin = await signup(client)
        response = await client.get(f"/api/contacts/{uuid.uuid4()}", headers=admin.headers)
        assert error_of(response, 404)["code"] == "not_found"
