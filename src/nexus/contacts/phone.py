"""Phone numbers in E.164 ("+5511987654321"): the one form numbers are stored and compared
in (K1), whether an agent typed them or a provider sent them."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "BR"


class InvalidPhoneNumber(ValueError):
    pass


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """Normalise ``raw`` or raise ``InvalidPhoneNumber``.

    With a leading "+" the number is international; without, it is read as national to
    ``region`` — and digits that already begin with the country code, as providers send
    them ("5511987654321"), are recognised as such. Only numbers that exist in the
    numbering plan pass, which catches typos such as a missing digit.
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber("not a valid phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
