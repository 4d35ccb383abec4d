"""The sandbox channel: Nexus's own simulated phone, with a token header and a small JSON
format; sends are accepted by Nexus itself."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from nexus.channels import (
    CustomerTyping,
    InboundMessage,
    InvalidRequest,
    InvalidSignature,
    MalformedWebhook,
    MediaBytes,
    MissingSignature,
    Party,
    StatusUpdate,
)
from nexus.channels.sandbox import SandboxAdapter
from nexus.models import IdentityKind, MessageStatus, MessageType

TOKEN = "sandbox-verify-token"
PHONE = "+5511988887777"


@pytest.fixture
def adapter() -> SandboxAdapter:
    return SandboxAdapter({}, {"verify_token": TOKEN}, httpx.AsyncClient(verify=False))


def body(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def test_token(adapter: SandboxAdapter) -> None:
    adapter.verify_webhook({"X-Sandbox-Token": TOKEN}, b"{}", {})
    with pytest.raises(InvalidSignature):
        adapter.verify_webhook({"X-Sandbox-Token": "nope"}, b"{}", {})
    with pytest.raises(MissingSignature):
        adapter.verify_webhook({}, b"{}", {})


def test_text_message(adapter: SandboxAdapter) -> None:
    [event] = adapter.parse_webhook(
        body(
            {
                "event": "message",
                "id": "m1",
                "from": "55 11 98888-7777",
                "name": "Ana",
                "text": "Oi",
            }
        )
    )
    assert isinstance(event, InboundMessage)
    assert (event.event_id, event.provider_message_id, event.chat_id) == ("message:m1", "m1", PHONE)
    assert (event.type, event.text) == (MessageType.text, "Oi")
    assert (event.sender.kind, event.sender.external_id, event.sender.phone) == (
        IdentityKind.sandbox,
        PHONE,
        PHONE,
    )


def test_media_location_reaction_reply_and_status(adapter: SandboxAdapter) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(b"png").decode()
    events = adapter.parse_webhook(
        body(
            [
                {
                    "id": "m2",
                    "from": PHONE,
                    "media": {"url": data_url, "mime_type": "image/png", "filename": "f.png"},
                    "text": "foto",
                },
                {"id": "m3", "from": PHONE, "location": {"latitude": -23.5, "longitude": -46.6}},
                {"id": "m4", "from": PHONE, "reaction": {"message_id": "sbx_1", "emoji": "👍"}},
                {
                    "id": "m5",
                    "from": PHONE,
                    "interactive_reply": {"id": "dept_billing", "title": "Financeiro"},
                    "reply_to": "sbx_2",
                },
                {"event": "status", "message_id": "sbx_1", "status": "read", "to": PHONE},
            ]
        )
    )
    image, location, reaction, reply, status = events
    assert (image.type, image.text, image.media.filename) == (MessageType.image, "foto", "f.png")
    assert location.type is MessageType.location
    assert (reaction.type, reaction.reaction.emoji) == (MessageType.reaction, "👍")
    assert (reply.type, reply.text, reply.reply_to) == (
        MessageType.interactive,
        "Financeiro",
        "sbx_2",
    )
    assert isinstance(status, StatusUpdate)
    assert (status.status, status.provider_message_id, status.ordering_key) == (
        MessageStatus.read,
        "sbx_1",
        PHONE,
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"from": PHONE, "text": "no id"},
        {"id": "x", "text": "no sender"},
        {"id": "x", "from": PHONE, "type": "hologram"},
        {"event": "status", "message_id": "sbx_1", "status": "sent"},
        "just a string",
    ],
)
def test_malformed(adapter: SandboxAdapter, payload: Any) -> None:
    with pytest.raises(MalformedWebhook):
        adapter.parse_webhook(body(payload))


def test_typing_is_relayed_apart_from_the_events(adapter: SandboxAdapter) -> None:
    delivery = body(
        [
            {"event": "typing", "from": "55 11 98888-7777", "is_typing": True},
            {"event": "message", "id": "m1", "from": PHONE, "text": "Oi"},
            {"event": "typing", "from": PHONE, "is_typing": False},
        ]
    )
    customer = Party(kind=IdentityKind.sandbox, external_id=PHONE, phone=PHONE)
    assert adapter.parse_typing(delivery) == [
        CustomerTyping(contact=customer, is_typing=True),
        CustomerTyping(contact=customer, is_typing=False),
    ]
    [message] = adapter.parse_webhook(delivery)  # typing is never an event for the inbox
    assert isinstance(message, InboundMessage) and message.provider_message_id == "m1"
    assert adapter.parse_typing(body({"event": "message", "id": "m2", "from": PHONE})) == []


@pytest.mark.parametrize(
    "payload",
    [
        {"event": "typing", "is_typing": True},
        {"event": "typing", "from": PHONE},
        {"event": "typing", "from": PHONE, "is_typing": "yes"},
    ],
)
def test_malformed_typing(adapter: SandboxAdapter, payload: Any) -> None:
    with pytest.raises(MalformedWebhook):
        adapter.parse_typing(body(payload))


async def test_sends_get_sandbox_ids(adapter: SandboxAdapter) -> None:
    first = await adapter.send_text(PHONE, "Olá")
    second = await adapter.send_media(
        PHONE, MessageType.document, MediaBytes(b"%PDF", "application/pdf")
    )
    assert first.provider_message_id.startswith("sbx_")
    assert first.provider_message_id != second.provider_message_id
    assert first.recipient_id == PHONE
    with pytest.raises(InvalidRequest):
        await adapter.send_text(PHONE, "")


async def test_download_inline_media(adapter: SandboxAdapter) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(b"png-bytes").decode()
    [event] = adapter.parse_webhook(
        body({"id": "m", "from": PHONE, "media": {"url": data_url, "filename": "f.png"}})
    )
    media = await adapter.download_media(event.media)
    assert (media.data, media.mime_type, media.filename) == (b"png-bytes", "image/png", "f.png")
    with pytest.raises(InvalidRequest):
        await adapter.download_media(event.media.model_copy(update={"url": "https://elsewhere/x"}))
