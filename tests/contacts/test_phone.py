from __future__ import annotations

import pytest

from nexus.contacts.phone import InvalidPhoneNumber, to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(11) 98765-4321", "+5511987654321"),
        ("11 3456-7890", "+551134567890"),
        ("011 98765-4321", "+5511987654321"),
        ("+55 21 99876-5432", "+5521998765432"),
        ("5511987654321", "+5511987654321"),  # as WhatsApp providers send it
        ("+1 650-253-0000", "+16502530000"),
        ("+351 912 345 678", "+351912345678"),
    ],
)
def test_numbers_are_normalised_to_e164(raw: str, expected: str) -> None:
    assert to_e164(raw) == expected


def test_the_default_region_can_be_changed() -> None:
    assert to_e164("(650) 253-0000", region="US") == "+16502530000"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "123",
        "11 9876-543",  # a digit short
        "+55 11 98765-43210",  # a digit too many
        "+999 1234 5678",  # no such country
    ],
)
def test_impossible_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        to_e164(raw)
