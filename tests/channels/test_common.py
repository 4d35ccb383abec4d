"""Shared pieces: E.164 normalisation, WhatsApp ids, identities, inbox round trips, and the
delivery helpers of the fakes."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from nexus.channels import InboundMessage, Party, StatusUpdate, event_from_payload, event_payload
from nexus.channels.jids import JidKind, group, parse_jid, person
from nexus.channels.outbound import interactive_as_text
from nexus.channels.phones import to_e164, typed_to_e164
from nexus.models import IdentityKind, MessageStatus, MessageType
from tests.fakes.deliveries import WebhookDelivery, deliver, duplicated, reordered


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("5511987654321@c.us", "+5511987654321"),
        ("5511987654321@s.whatsapp.net", "+5511987654321"),
        ("5511987654321:12@s.whatsapp.net", "+5511987654321"),
        ("+55 11 98765-4321", "+5511987654321"),
        ("5511987654321", "+5511987654321"),
        ("14155552671", "+14155552671"),
        ("", None),
        (None, None),
        ("abc", None),
        ("0800123456", None),
        ("1234567890123456789", None),
    ],
)
def test_to_e164(raw: str | None, e164: str | None) -> None:
    assert to_e164(raw) == e164


def test_typed_numbers_need_the_international_form() -> None:
    assert typed_to_e164("+55 11 97777-6666") == "+5511977776666"
    assert typed_to_e164("11 97777-6666") is None


def test_jids() -> None:
    assert parse_jid("5511987654321@c.us").kind is JidKind.phone
    assert parse_jid("214587963214785@lid").kind is JidKind.lid
    assert parse_jid("120363025555555555@g.us").kind is JidKind.group
    assert parse_jid("status@broadcast").kind is JidKind.other
    assert parse_jid("no-at-sign") is None
    assert person("status@broadcast") is None
    assert group("5511987654321@c.us") is None
    ana = person("5511987654321@s.whatsapp.net", alt="214587963214785@lid", name="Ana")
    assert ana == Party(
        kind=IdentityKind.whatsapp_phone,
        external_id="5511987654321",
        phone="+5511987654321",
        lid="214587963214785",
        name="Ana",
    )
    assert ana.identities() == [
        (IdentityKind.whatsapp_phone, "5511987654321"),
        (IdentityKind.whatsapp_lid, "214587963214785"),
    ]


def test_events_round_trip_through_the_inbox() -> None:
    message = InboundMessage(
        event_id="message:1",
        ordering_key="5511987654321",
        timestamp=datetime(2026, 1, 1, tzinfo=UTC),
        provider_message_id="1",
        chat_id="5511987654321",
        sender=Party(kind=IdentityKind.whatsapp_phone, external_id="5511987654321"),
        type=MessageType.text,
        text="oi",
    )
    status = StatusUpdate(
        event_id="status:1:read",
        ordering_key="5511987654321",
        timestamp=datetime(2026, 1, 1, tzinfo=UTC),
        provider_message_id="1",
        status=MessageStatus.read,
    )
    for event in (message, status):
        payload = event_payload(event)
        assert payload["kind"] in ("message", "status")
        assert event_from_payload(payload) == event


def test_numbered_menu_fallback() -> None:
    text = interactive_as_text(
        "Para qual setor?",
        [("Financeiro", "Boletos"), ("Suporte", None)],
        header="Menu",
        footer="8h-18h",
    )
    assert text == "*Menu*\n\nPara qual setor?\n\n1. Financeiro — Boletos\n2. Suporte\n\n8h-18h"


def test_duplicate_and_reorder_helpers() -> None:
    deliveries = [WebhookDelivery(body=str(i).encode(), headers={}) for i in range(5)]
    assert [d.body for d in duplicated(deliveries[:2], times=3)] == [
        b"0",
        b"0",
        b"0",
        b"1",
        b"1",
        b"1",
    ]
    shuffled = reordered(deliveries, seed=3)
    assert sorted(d.body for d in shuffled) == [d.body for d in deliveries]
    assert shuffled == reordered(deliveries, seed=3)  # reproducible


async def test_deliver_posts_the_exact_bytes_and_headers() -> None:
    seen: list[tuple[bytes, str | None]] = []

    def receive(request: httpx.Request) -> httpx.Response:
        seen.append((request.content, request.headers.get("X-Hub-Signature-256")))
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(receive)) as client:
        deliveries = [
            WebhookDelivery(body=b'{"a": "\xc3\xa9"}', headers={"X-Hub-Signature-256": "sha256=x"})
        ]
        answers = await deliver(
            client, "http://nexus.test/webhooks/x", duplicated(deliveries), delay=0.01
        )
    assert [a.status_code for a in answers] == [200, 200]
    assert seen == [(b'{"a": "\xc3\xa9"}', "sha256=x")] * 2
