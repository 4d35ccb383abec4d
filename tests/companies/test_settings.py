from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from nexus.companies.schemas import BotTexts, ConversationRules
from tests.fixtures.api import Account, create_user, signup
from tests.fixtures.checks import audit_entries, error_fields


async def settings(client: AsyncClient, account: Account) -> dict[str, Any]:
    response = await client.get("/api/settings", headers=account.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def patch(client: AsyncClient, admin: Account, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.patch("/api/settings", headers=admin.headers, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_every_user_reads_the_company_and_its_defaults(client: AsyncClient) -> None:
    admin = await signup(client, "Padaria Central")
    agent = await create_user(client, admin)
    body = await settings(client, agent)
    assert (body["id"], body["name"], body["timezone"]) == (
        admin.company_id,
        "Padaria Central",
        "America/Sao_Paulo",
    )
    assert body["bot"] == BotTexts().model_dump()
    assert body["conversations"] == ConversationRules().model_dump()
    assert body["business_hours"] == {}


async def test_a_patch_merges_texts_and_rules(client: AsyncClient) -> None:
    admin = await signup(client)
    await patch(
        client,
        admin,
        {
            "name": "Padaria Nova",
            "timezone": "America/Manaus",
            "bot": {"greeting": "Oi! Aqui é a {company}."},
            "conversations": {"idle_expiry_hours": 48},
        },
    )
    body = await patch(client, admin, {"bot": {"resolved": "Até logo!"}})
    assert (body["name"], body["timezone"]) == ("Padaria Nova", "America/Manaus")
    assert body["bot"] == {
        **BotTexts().model_dump(),
        "greeting": "Oi! Aqui é a {company}.",
        "resolved": "Até logo!",
    }
    assert body["conversations"] == {**ConversationRules().model_dump(), "idle_expiry_hours": 48}
    assert await settings(client, admin) == body


async def test_business_hours_are_replaced_whole(client: AsyncClient) -> None:
    admin = await signup(client)
    week = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    body = await patch(client, admin, {"business_hours": week})
    assert body["business_hours"] == week
    body = await patch(client, admin, {"business_hours": {"sat": [["09:00", "12:00"]]}})
    assert body["business_hours"] == {"sat": [["09:00", "12:00"]]}
    body = await patch(client, admin, {"business_hours": {}})
    assert body["business_hours"] == {}


async def test_changes_are_audited_by_field(client: AsyncClient) -> None:
    admin = await signup(client)
    await patch(client, admin, {"name": "Nova", "bot": {"greeting": "Oi", "queued": "Aguarde"}})
    [entry] = await audit_entries(client, admin, "company.settings_update")
    assert entry["target_id"] == admin.company_id
    assert entry["data"]["fields"] == ["bot.greeting", "bot.queued", "name"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bot": {"greeting": "Olá {nome}!"}}, "bot.greeting"),
        ({"bot": {"menu_prompt": "Escolha {"}}, "bot.menu_prompt"),
        ({"bot": {"queued": "   "}}, "bot.queued"),
        ({"bot": {"farewell": "Tchau"}}, "bot.farewell"),
        ({"bot": {"greeting": None}}, "bot.greeting"),
        ({"conversations": {"idle_expiry_hours": 0}}, "conversations.idle_expiry_hours"),
        ({"conversations": {"auto_close": True}}, "conversations.auto_close"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "X"}, "name"),
        ({"name": None}, "name"),
        ({"business_hours": {"mon": [["18:00", "08:00"]]}}, "business_hours.mon.0"),
        ({"business_hours": {"mon": [["24:00", "25:00"]]}}, "business_hours.mon.0.0"),
        ({"business_hours": {"holiday": []}}, "business_hours.holiday.[key]"),
        ({"slug": "outra"}, "slug"),
    ],
)
async def test_invalid_settings_are_named_and_change_nothing(
    client: AsyncClient, body: dict[str, Any], field: str
) -> None:
    admin = await signup(client)
    before = await settings(client, admin)
    response = await client.patch("/api/settings", headers=admin.headers, json=body)
    assert field in error_fields(response)
    assert await settings(client, admin) == before


@pytest.mark.parametrize("role", ["agent", "supervisor"])
async def test_only_admins_change_settings(client: AsyncClient, role: str) -> None:
    admin = await signup(client)
    user = await create_user(client, admin, role=role)
    response = await client.patch("/api/settings", headers=user.headers, json={"name": "Minha"})
    assert response.status_code == 403
    assert (await settings(client, admin))["name"] != "Minha"


async def test_each_company_reads_and_writes_only_its_own(client: AsyncClient) -> None:
    first, second = await signup(client, "Primeira"), await signup(client, "Segunda")
    await patch(client, second, {"bot": {"greeting": "Oi da segunda"}})
    mine = await settings(client, first)
    assert (mine["id"], mine["name"]) == (first.company_id, "Primeira")
    assert mine["bot"]["greeting"] == BotTexts().greeting
