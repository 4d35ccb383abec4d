"""Phone numbers as E.164, from whatever a provider hands us (K1: E.164 everywhere)."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_NON_DIGITS = re.compile(r"\D")


def to_e164(raw: str | None) -> str | None:
    """``"5511987654321@c.us"``, ``"+55 11 98765-4321"``, ``"5511987654321"`` →
    ``"+5511987654321"``.

    WhatsApp ids always carry the country code, so the digits are read as international.
    A device suffix (``5511…:12@s.whatsapp.net``) is dropped. Returns ``None`` when the
    digits cannot be a phone number (a LID, a group id, garbage), never a guess.
    """
    if not raw:
        return None
    user = raw.split("@", 1)[0].split(":", 1)[0]
    return _e164_of_digits(_NON_DIGITS.sub("", user))


# A customer writes many times: parsing their number again was 8 % of a webhook's cost.
@lru_cache(maxsize=16_384)
def _e164_of_digits(digits: str) -> str | None:
    if not digits or len(digits) > 15 or digits.startswith("0"):
        return None
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    # "possible" rather than "valid": the library's range data lags new number blocks.
    if not phonenumbers.is_possible_number(number):
        return None
    formatted: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return formatted


def wa_digits(address: str) -> str:
    """The digits WhatsApp APIs take as a recipient: ``"+55 11 9…"`` → ``"55119…"``."""
    return _NON_DIGITS.sub("", address.split("@", 1)[0])


def typed_to_e164(raw: str | None) -> str | None:
    """A number a person typed (a shared contact card): E.164 only when written in
    international form, since a local number's country cannot be known here."""
    if not raw or not raw.strip().startswith("+"):
        return None
    return to_e164(raw)
