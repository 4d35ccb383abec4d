"""Shared contact cards (vCard 3.0 as WhatsApp Web sends them) → ``SharedContact``."""

from __future__ import annotations

from nexus.channels.events import SharedContact, SharedPhone
from nexus.channels.phones import to_e164, typed_to_e164


def parse_vcard(card: str, *, display_name: str | None = None) -> SharedContact:
    name: str | None = None
    phones: list[SharedPhone] = []
    emails: list[str] = []
    # Folded lines continue with a leading space (RFC 6350 §3.2).
    for line in card.replace("\r\n ", "").replace("\n ", "").splitlines():
        key, separator, value = line.partition(":")
        if not separator:
            continue
        head, *params = key.split(";")
        prop = head.split(".")[-1].upper()  # "item1.TEL" → "TEL"
        value = value.strip()
        if prop == "FN" and value:
            name = value
        elif prop == "TEL" and value:
            options = dict(p.split("=", 1) for p in params if "=" in p)
            wa_id = options.get("waid") or options.get("WAID")
            phones.append(
                SharedPhone(
                    phone=value,
                    e164=to_e164(wa_id) if wa_id else typed_to_e164(value),
                    wa_id=wa_id,
                    type=options.get("type") or options.get("TYPE"),
                )
            )
        elif prop == "EMAIL" and value:
            emails.append(value)
    return SharedContact(name=name or display_name, phones=phones, emails=emails, vcard=card)
