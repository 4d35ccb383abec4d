from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from nexus.bootstrap import DEMO_QUICK_REPLIES
from nexus.quick_replies.schemas import QuickReplyCreate
from tests.fixtures.api import Account, create_user, signup
from tests.fixtures.checks import audit_entries, error_fields, error_of
from tests.fixtures.world import World, make_world


async def create_reply(
    client: AsyncClient, account: Account, shortcut: str, content: str = "Olá!", **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/quick-replies",
        headers=account.headers,
        json={"shortcut": shortcut, "content": content, **fields},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def shortcuts(client: AsyncClient, account: Account, **params: Any) -> list[str]:
    response = await client.get("/api/quick-replies", headers=account.headers, params=params)
    assert response.status_code == 200, response.text
    return [reply["shortcut"] for reply in response.json()]


class TestCrud:
    async def test_supervisor_creates_with_or_without_the_slash(self, client: AsyncClient) -> None:
        admin = await signup(client)
        supervisor = await create_user(client, admin, role="supervisor")
        created = await create_reply(client, supervisor, "/bom-dia", "Bom dia! Como posso ajudar?")
        assert created["shortcut"] == "bom-dia"
        assert created["created_by_id"] == supervisor.user_id
        assert created["department_id"] is None
        await create_reply(client, supervisor, "obrigado_2")
        assert await shortcuts(client, admin) == ["bom-dia", "obrigado_2"]

    async def test_update_and_delete_are_audited(self, client: AsyncClient) -> None:
        admin = await signup(client)
        created = await create_reply(client, admin, "oi")
        url = f"/api/quick-replies/{created['id']}"
        response = await client.patch(
            url, headers=admin.headers, json={"shortcut": "/ola", "content": "Olá, tudo bem?"}
        )
        assert (response.json()["shortcut"], response.json()["content"]) == (
            "ola",
            "Olá, tudo bem?",
        )
        assert (await client.delete(url, headers=admin.headers)).status_code == 204
        assert (await client.get(url, headers=admin.headers)).status_code == 404
        entries = await audit_entries(client, admin, "quick_reply.")
        assert [e["action"] for e in entries] == [
            "quick_reply.create",
            "quick_reply.update",
            "quick_reply.delete",
        ]
        assert {e["target_id"] for e in entries} == {created["id"]}

    async def test_search_by_shortcut_prefix_or_content(self, client: AsyncClient) -> None:
        admin = await signup(client)
        await create_reply(client, admin, "bom-dia", "Bom dia!")
        await create_reply(client, admin, "boleto", "Segue a 2ª via do BOLETO.")
        await create_reply(client, admin, "pix", "Nossa chave Pix é o CNPJ; o boleto também vale.")
        await create_reply(client, admin, "a_b", "Sublinhado")
        await create_reply(client, admin, "abc", "Outro")
        assert await shortcuts(client, admin, search="/bo") == ["boleto", "bom-dia"]
        assert await shortcuts(client, admin, search="boleto") == ["boleto", "pix"]
        assert await shortcuts(client, admin, search="cnpj") == ["pix"]
        assert await shortcuts(client, admin, search="a_") == ["a_b"]
        # "_" and "%" are characters here, not LIKE wildcards.
        assert await shortcuts(client, admin, search="_") == []
        assert await shortcuts(client, admin, search="%") == []


class TestDepartments:
    async def test_agents_see_company_wide_replies_and_their_departments(
        self, app: FastAPI, client: AsyncClient
    ) -> None:
        world = await make_world(app, client)
        admin = world.admin
        sales, support = await world.department("vendas"), await world.department("suporte")
        agent = await world.agent("vendas", online=False)
        await create_reply(client, admin, "oi")
        await create_reply(client, admin, "preco", department_id=str(sales))
        hidden = await create_reply(client, admin, "ticket", department_id=str(support))

        assert await shortcuts(client, agent) == ["oi", "preco"]
        assert await shortcuts(client, admin) == ["oi", "preco", "ticket"]
        assert await shortcuts(client, admin, department_id=str(support)) == ["ticket"]
        response = await client.get(f"/api/quick-replies/{hidden['id']}", headers=agent.headers)
        assert response.status_code == 404

    async def test_a_reply_can_be_made_company_wide(
        self, app: FastAPI, client: AsyncClient
    ) -> None:
        world = await make_world(app, client)
        support = await world.department("suporte")
        agent = await world.agent(online=False)
        created = await create_reply(client, world.admin, "ticket", department_id=str(support))
        assert await shortcuts(client, agent) == []
        response = await client.patch(
            f"/api/quick-replies/{created['id']}",
            headers=world.admin.headers,
            json={"department_id": None},
        )
        assert response.json()["department_id"] is None
        assert await shortcuts(client, agent) == ["ticket"]

    async def test_another_companys_department_is_refused(
        self, app: FastAPI, client: AsyncClient
    ) -> None:
        admin = await signup(client)
        stranger = World(app=app, client=client, admin=await signup(client))
        foreign = await stranger.department("vendas")
        response = await client.post(
            "/api/quick-replies",
            headers=admin.headers,
            json={"shortcut": "oi", "content": "Olá", "department_id": str(foreign)},
        )
        assert error_fields(response) == {"department_id"}
        created = await create_reply(client, admin, "oi")
        moved = await client.patch(
            f"/api/quick-replies/{created['id']}",
            headers=admin.headers,
            json={"department_id": str(foreign)},
        )
        assert error_fields(moved) == {"department_id"}


class TestValidation:
    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"shortcut": "Bom Dia"}, "shortcut"),
            ({"shortcut": "/"}, "shortcut"),
            ({"shortcut": "x" * 41}, "shortcut"),
            ({"shortcut": "olá"}, "shortcut"),
            ({"content": ""}, "content"),
            ({"content": "x" * 4097}, "content"),
            ({"content": "Olá! Meu nome é {agente}"}, "content"),
            ({"department_id": "vendas"}, "department_id"),
            ({"title": "Oi"}, "title"),
        ],
    )
    async def test_invalid_fields_are_named(
        self, client: AsyncClient, fields: dict[str, Any], field: str
    ) -> None:
        admin = await signup(client)
        response = await client.post(
            "/api/quick-replies",
            headers=admin.headers,
            json={"shortcut": "oi", "content": "Olá", **fields},
        )
        assert error_fields(response) == {field}

    async def test_a_duplicate_shortcut_is_a_conflict(self, client: AsyncClient) -> None:
        admin = await signup(client)
        await create_reply(client, admin, "oi")
        again = await client.post(
            "/api/quick-replies", headers=admin.headers, json={"shortcut": "/oi", "content": "x"}
        )
        assert error_fields(again, 409) == {"shortcut"}
        other = await create_reply(client, admin, "ola")
        renamed = await client.patch(
            f"/api/quick-replies/{other['id']}", headers=admin.headers, json={"shortcut": "oi"}
        )
        assert error_of(renamed, 409)["code"] == "shortcut_taken"


async def test_placeholders_the_composer_fills_are_accepted(client: AsyncClient) -> None:
    admin = await signup(client)
    content = "Olá, {customer}! Sou {agent}. Chaves com espaço { ok } não são variáveis."
    reply = await create_reply(client, admin, "ola", content)
    assert reply["content"] == content


@pytest.mark.parametrize(("shortcut", "content"), DEMO_QUICK_REPLIES)
def test_the_demo_replies_render(shortcut: str, content: str) -> None:
    QuickReplyCreate(shortcut=shortcut, content=content)  # unknown placeholders are refused


class TestAccess:
    async def test_agents_only_read(self, client: AsyncClient) -> None:
        admin = await signup(client)
        agent = await create_user(client, admin)
        created = await create_reply(client, admin, "oi")
        url = f"/api/quick-replies/{created['id']}"
        attempts = [
            await client.post(
                "/api/quick-replies", headers=agent.headers, json={"shortcut": "x", "content": "x"}
            ),
            await client.patch(url, headers=agent.headers, json={"content": "x"}),
            await client.delete(url, headers=agent.headers),
        ]
        assert [r.status_code for r in attempts] == [403, 403, 403]
        assert (await client.get(url, headers=agent.headers)).json() == created

    async def test_another_companys_reply_is_not_found(self, client: AsyncClient) -> None:
        owner, intruder = await signup(client), await signup(client)
        created = await create_reply(client, owner, "oi")
        url = f"/api/quick-replies/{created['id']}"
        attempts = [
            await client.get(url, headers=intruder.headers),
            await client.patch(url, headers=intruder.headers, json={"content": "Tomado"}),
            await client.delete(url, headers=intruder.headers),
        ]
        assert [r.status_code for r in attempts] == [404, 404, 404]
        assert await shortcuts(client, intruder) == []
        assert (await client.get(url, headers=owner.headers)).json() == created
