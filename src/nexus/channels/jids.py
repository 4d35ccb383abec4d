"""WhatsApp Web ids (JIDs) as WAHA and Evolution report them, turned into parties.

``5511…@c.us`` / ``@s.whatsapp.net`` is a phone, ``…@lid`` a hidden "linked id", ``…@g.us``
a group. Since 2025 the same person may appear under either a phone or a LID, and only
some events carry both (peers.md §2.3), so every id found is kept on the party.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nexus.channels.events import Party
from nexus.channels.phones import to_e164
from nexus.models.contact_identity import IdentityKind

_PHONE_SERVERS = frozenset({"c.us", "s.whatsapp.net"})


class JidKind(StrEnum):
    phone = "phone"
    lid = "lid"
    group = "group"
    other = "other"  # newsletters, status@broadcast, …


@dataclass(frozen=True)
class Jid:
    user: str
    server: str

    @property
    def kind(self) -> JidKind:
        if self.server in _PHONE_SERVERS:
            return JidKind.phone
        if self.server == "lid":
            return JidKind.lid
        if self.server == "g.us":
            return JidKind.group
        return JidKind.other


def parse_jid(value: str | None) -> Jid | None:
    if not value or "@" not in value:
        return None
    user, server = value.split("@", 1)
    # Multi-device ids carry ":<device>" in the user part; the person is the same.
    user = user.split(":", 1)[0]
    if not user:
        return None
    return Jid(user=user, server=server.lower())


def person(
    jid_value: str | None, *, alt: str | None = None, name: str | None = None
) -> Party | None:
    """A person from a phone or LID jid, with the other form from ``alt`` when given."""
    jid = parse_jid(jid_value)
    other = parse_jid(alt)
    if jid is None:
        return None
    phone_jid = next((j for j in (jid, other) if j and j.kind is JidKind.phone), None)
    lid_jid = next((j for j in (jid, other) if j and j.kind is JidKind.lid), None)
    phone = to_e164(phone_jid.user) if phone_jid else None
    lid = lid_jid.user if lid_jid else None
    if jid.kind is JidKind.phone:
        return Party(
            kind=IdentityKind.whatsapp_phone, external_id=jid.user, phone=phone, lid=lid, name=name
        )
    if jid.kind is JidKind.lid:
        return Party(
            kind=IdentityKind.whatsapp_lid, external_id=jid.user, phone=phone, lid=lid, name=name
        )
    return None


def group(jid_value: str | None, *, name: str | None = None) -> Party | None:
    jid = parse_jid(jid_value)
    if jid is None or jid.kind is not JidKind.group:
        return None
    return Party(kind=IdentityKind.whatsapp_group, external_id=jid.user, name=name)
