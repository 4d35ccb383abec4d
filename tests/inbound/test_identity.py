"""A customer known by phone and by WhatsApp LID stays one contact, whatever the order in
which the provider reveals the two."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from nexus.conversations.service import conversation_service
from nexus.inbound.identity import Identity, resolve_contact
from nexus.models import Contact, ContactIdentity, Conversation, IdentityKind
from tests.fixtures.world import make_world

PHONE = Identity(IdentityKind.whatsapp_phone, "5511987654321")
LID = Identity(IdentityKind.whatsapp_lid, "214587963214785")


async def test_same_identity_twice_is_one_contact(app: FastAPI, client: AsyncClient) -> None:
    world = await make_world(app, client)
    async with app.state.database.write() as session:
        first = await resolve_contact(
            session, world.company_id, [PHONE], phone="+5511987654321", name="Ana"
        )
        again = await resolve_contact(
            session, world.company_id, [PHONE], phone="+5511987654321", name="Ana Paula"
        )
    assert first.id == again.id
    assert again.name == "Ana"  # a name already set (maybe by an agent) is kept


async def test_lid_then_phone_merges_without_losing_conversations(
    app: FastAPI, client: AsyncClient
) -> None:
    world = await make_world(app, client)
    company = world.company_id
    async with app.state.database.write() as session:
        by_phone = await resolve_contact(
            session, company, [PHONE], phone="+5511987654321", name=None
        )
        first_conversation = await conversation_service.open(
            session, company_id=company, contact_id=by_phone.id, connection_id=None
        )
        by_lid = await resolve_contact(session, company, [LID], phone=None, name="Ana")
        second_conversation = await conversation_service.open(
            session, company_id=company, contact_id=by_lid.id, connection_id=None
        )
        assert by_lid.id != by_phone.id  # nothing links them yet

        # A later event carries both: the two records become one.
        merged = await resolve_contact(
            session, company, [LID, PHONE], phone="+5511987654321", name="Ana"
        )
    assert merged.id == by_phone.id  # the older record survives
    async with app.state.database.read() as session:
        live = (
            (
                await session.execute(
                    select(Contact).where(
                        Contact.company_id == company, Contact.merged_into_id.is_(None)
                    )
                )
            )
            .scalars()
            .all()
        )
        assert [c.id for c in live] == [by_phone.id]
        assert live[0].name == "Ana" and live[0].phone == "+5511987654321"
        owners = set(
            (
                await session.execute(
                    select(Conversation.contact_id).where(
                        Conversation.id.in_([first_conversation.id, second_conversation.id])
                    )
                )
            ).scalars()
        )
        assert owners == {by_phone.id}
        identities = (
            await session.execute(
                select(func.count())
                .select_from(ContactIdentity)
                .where(ContactIdentity.contact_id == by_phone.id)
            )
        ).scalar_one()
        assert identities == 2


async def test_companies_never_share_contacts(app: FastAPI, client: AsyncClient) -> None:
    first = await make_world(app, client)
    second = await make_world(app, client)
    async with app.state.database.write() as session:
        a = await resolve_contact(
            session, first.company_id, [PHONE], phone="+5511987654321", name=None
        )
        b = await resolve_contact(
            session, second.company_id, [PHONE], phone="+5511987654321", name=None
        )
    assert a.id != b.id
