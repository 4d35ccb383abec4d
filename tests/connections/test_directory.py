"""The gateways' contact and group listings as each engine answers them."""

from __future__ import annotations

import httpx

from nexus.channels.waha import WahaAdapter
from nexus.models import IdentityKind
from tests.fakes import waha
from tests.fakes.waha import FakeWaha


def adapter(fake: FakeWaha, http: httpx.AsyncClient) -> WahaAdapter:
    return WahaAdapter(
        {"base_url": fake.base_url, "session": waha.SESSION},
        {"api_key": waha.API_KEY, "webhook_secret": waha.HMAC_KEY},
        http,
    )


async def test_waha_lists_people_by_phone_or_lid_but_not_itself(fake_waha: FakeWaha) -> None:
    fake_waha.add_session()
    fake_waha.add_contact("5511988887777", "Ana")
    fake_waha.contacts.append({"id": "123456789012345@lid", "pushname": "Bia", "isMe": False})
    fake_waha.contacts.append({"id": "status@broadcast", "name": "Status", "isMe": False})
    async with httpx.AsyncClient() as http:
        people = await adapter(fake_waha, http).list_contacts()

    assert [(p.kind, p.external_id, p.phone, p.name) for p in people] == [
        (IdentityKind.whatsapp_phone, "5511988887777", "+5511988887777", "Ana"),
        (IdentityKind.whatsapp_lid, "123456789012345", None, "Bia"),
    ]
    assert fake_waha.last("/api/contacts/all").query == {"session": waha.SESSION}


async def test_waha_groups_in_every_engines_shape(fake_waha: FakeWaha) -> None:
    fake_waha.add_session()
    fake_waha.add_group("120363000000000001", "WEBJS")  # id as an object
    fake_waha.groups.append({"JID": "120363000000000002@g.us", "Name": "GOWS"})
    fake_waha.groups.append({"id": "120363000000000003@g.us", "subject": "NOWEB"})
    async with httpx.AsyncClient() as http:
        groups = await adapter(fake_waha, http).list_groups()

    assert [(g.kind, g.external_id, g.name) for g in groups] == [
        (IdentityKind.whatsapp_group, "120363000000000001", "WEBJS"),
        (IdentityKind.whatsapp_group, "120363000000000002", "GOWS"),
        (IdentityKind.whatsapp_group, "120363000000000003", "NOWEB"),
    ]
