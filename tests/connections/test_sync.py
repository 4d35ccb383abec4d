"""Contact and group sync from the phone (C7, C8): through identity resolution, so known
customers are found rather than duplicated, and a second run changes nothing."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from nexus.models import Contact, ContactIdentity, IdentityKind
from tests.connections.helpers import action, create_connection
from tests.fakes.evolution import FakeEvolution
from tests.fakes.telegram import FakeTelegram
from tests.fakes.waha import FakeWaha
from tests.fixtures.api import signup
from tests.fixtures.eventually import eventually


async def contacts_of(app: FastAPI, company_id: str) -> list[Contact]:
    async with app.state.database.read() as session:
        rows = await session.execute(
            select(Contact)
            .where(Contact.company_id == uuid.UUID(company_id), Contact.merged_into_id.is_(None))
            .order_by(Contact.created_at)
        )
        return list(rows.scalars())


async def test_sync_twice_creates_each_contact_once_and_keeps_known_ones(
    app: FastAPI, client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin = await signup(client)
    known = await client.post(
        "/api/contacts",
        headers=admin.headers,
        json={"phone": "+55 11 98888-7777", "name": "Ana Paula (cliente VIP)"},
    )
    assert known.status_code == 201, known.text
    fake_waha.add_session()
    fake_waha.add_contact("5511988887777", "Ana")
    fake_waha.add_contact("5511977776666", None)
    fake_waha.add_group("120363025555555555", "Família")
    connection = await create_connection(client, admin, "waha", fake_waha)

    first = await action(client, admin, connection, "sync")
    second = await action(client, admin, connection, "sync")

    assert first.status_code == 200, first.text
    assert first.json() == {"contacts": 2, "groups": 1, "created": 2}
    assert second.json() == {"contacts": 2, "groups": 1, "created": 0}
    contacts = await contacts_of(app, admin.company_id)
    assert [(c.phone, c.name, c.is_group) for c in contacts] == [
        ("+5511988887777", "Ana Paula (cliente VIP)", False),  # an agent's name is kept
        ("+5511977776666", None, False),
        (None, "Família", True),
    ]
    async with app.state.database.read() as session:
        group_ids = (
            await session.execute(
                select(ContactIdentity.external_id).where(
                    ContactIdentity.contact_id == contacts[2].id,
                    ContactIdentity.kind == IdentityKind.whatsapp_group,
                )
            )
        ).scalars()
    # The id a group message names the group by: its conversation lands on this contact.
    assert list(group_ids) == ["120363025555555555"]


async def test_contacts_are_synced_when_the_phone_connects(
    app: FastAPI, client: AsyncClient, fake_evolution: FakeEvolution
) -> None:
    admin = await signup(client)
    fake_evolution.add_instance()  # already paired: starting it connects at once
    fake_evolution.add_contact("5511966665555@s.whatsapp.net", "Bruno")
    fake_evolution.add_contact("120363000000000001@g.us", "a group seen as a chat")
    fake_evolution.add_group("120363000000000001@g.us", "Equipe de vendas")
    connection = await create_connection(client, admin, "evolution", fake_evolution)

    started = await action(client, admin, connection, "start")
    assert started.json()["status"] == "connected"

    async def synced() -> list[Contact]:
        found = await contacts_of(app, admin.company_id)
        return found if len(found) == 2 else []

    contacts = await eventually(synced)
    assert {(c.phone, c.name, c.is_group) for c in contacts} == {
        ("+5511966665555", "Bruno", False),
        (None, "Equipe de vendas", True),
    }
    assert fake_evolution.last("/group/fetchAllGroups").query == {"getParticipants": "false"}


async def test_sync_where_the_provider_lists_nobody_is_refused(
    client: AsyncClient, fake_telegram: FakeTelegram
) -> None:
    admin = await signup(client)
    connection = await create_connection(client, admin, "telegram", fake_telegram)

    refused = await action(client, admin, connection, "sync")

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_supported"


async def test_sync_of_a_session_that_is_not_working_says_why(
    client: AsyncClient, fake_waha: FakeWaha
) -> None:
    admin = await signup(client)
    fake_waha.add_session(status="SCAN_QR_CODE")
    connection = await create_connection(client, admin, "waha", fake_waha)

    failed = await action(client, admin, connection, "sync")

    assert failed.status_code == 502
    assert "SCAN_QR_CODE" in failed.json()["error"]["message"]
