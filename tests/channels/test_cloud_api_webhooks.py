"""Cloud API webhooks: signature, handshake, and every inbound type into normalised events."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from nexus.channels import (
    HandshakeRefused,
    InboundMessage,
    InvalidSignature,
    MalformedWebhook,
    MessageEdited,
    MessageRevoked,
    MissingSignature,
    ProviderNotice,
    StatusUpdate,
    event_from_payload,
    event_payload,
)
from nexus.channels.cloud_api import CloudApiAdapter
from nexus.models import IdentityKind, MessageStatus, MessageType
from tests.fakes.cloud_api import APP_SECRET, PHONE_NUMBER_ID, CloudWebhooks

CUSTOMER = "5511988887777"
VERIFY_TOKEN = "tenant42-verify"


@pytest.fixture
def adapter() -> CloudApiAdapter:
    return CloudApiAdapter(
        {"phone_number_id": PHONE_NUMBER_ID},
        {"access_token": "t", "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN},
        httpx.AsyncClient(verify=False),  # parsing makes no request
    )


@pytest.fixture
def hooks() -> CloudWebhooks:
    return CloudWebhooks()


def parse_one(adapter: CloudApiAdapter, hooks: CloudWebhooks, message: dict[str, Any]) -> Any:
    delivery = hooks.delivery(hooks.notification(messages=[message]))
    adapter.verify_webhook(delivery.headers, delivery.body, {})
    events = adapter.parse_webhook(delivery.body)
    assert len(events) == 1
    # Every event survives the inbox round trip unchanged.
    assert event_from_payload(json.loads(json.dumps(event_payload(events[0])))) == events[0]
    return events[0]


# --- signature and handshake ---------------------------------------------------------


def test_documented_signature_vector_is_accepted(adapter: CloudApiAdapter) -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    signature = "sha256=c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc"
    adapter.verify_webhook({"x-hub-signature-256": signature}, body, {})
    assert adapter.parse_webhook(body) == []


def test_signature_is_over_the_raw_bytes_with_non_ascii(
    adapter: CloudApiAdapter, hooks: CloudWebhooks
) -> None:
    delivery = hooks.delivery(hooks.notification(messages=[hooks.text(CUSTOMER, "Olá, ação 👍")]))
    assert "👍".encode() in delivery.body  # not re-escaped
    adapter.verify_webhook(delivery.headers, delivery.body, {})


def test_tampered_body_is_refused(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    delivery = hooks.delivery(hooks.notification(messages=[hooks.text(CUSTOMER, "oi")])).tampered()
    with pytest.raises(InvalidSignature) as refused:
        adapter.verify_webhook(delivery.headers, delivery.body, {})
    assert refused.value.status_code == 403


def test_wrong_secret_is_refused(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    delivery = hooks.delivery(hooks.notification(), secret="another-app-secret")
    with pytest.raises(InvalidSignature):
        adapter.verify_webhook(delivery.headers, delivery.body, {})


def test_missing_signature_is_401(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    delivery = hooks.delivery(hooks.notification()).without_header("X-Hub-Signature-256")
    with pytest.raises(MissingSignature) as refused:
        adapter.verify_webhook(delivery.headers, delivery.body, {})
    assert refused.value.status_code == 401


def test_signature_without_prefix_is_refused(
    adapter: CloudApiAdapter, hooks: CloudWebhooks
) -> None:
    delivery = hooks.delivery(hooks.notification())
    bare = delivery.headers["X-Hub-Signature-256"].removeprefix("sha256=")
    with pytest.raises(InvalidSignature):
        adapter.verify_webhook({"X-Hub-Signature-256": bare}, delivery.body, {})


def test_handshake_echoes_the_challenge(adapter: CloudApiAdapter) -> None:
    assert adapter.handshake(CloudWebhooks.handshake(VERIFY_TOKEN, "1158201444")) == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        CloudWebhooks.handshake("wrong-token"),
        {**CloudWebhooks.handshake(VERIFY_TOKEN), "hub.mode": "unsubscribe"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        {},
    ],
)
def test_handshake_refuses_wrong_token_or_mode(
    adapter: CloudApiAdapter, query: dict[str, str]
) -> None:
    with pytest.raises(HandshakeRefused):
        adapter.handshake(query)


def test_not_json_is_malformed(adapter: CloudApiAdapter) -> None:
    with pytest.raises(MalformedWebhook):
        adapter.parse_webhook(b"not json")


# --- inbound types -------------------------------------------------------------------


def test_text(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    event = parse_one(adapter, hooks, hooks.text(CUSTOMER, "Oi, preciso de ajuda", wamid="wamid.1"))
    assert isinstance(event, InboundMessage)
    assert event.event_id == "message:wamid.1"
    assert event.provider_message_id == "wamid.1"
    assert event.ordering_key == event.chat_id == CUSTOMER
    assert event.account_id == PHONE_NUMBER_ID
    assert event.type is MessageType.text
    assert event.text == "Oi, preciso de ajuda"
    assert event.timestamp.timestamp() == 1760000000
    assert event.sender.kind is IdentityKind.whatsapp_phone
    assert event.sender.external_id == CUSTOMER
    assert event.sender.phone == "+5511988887777"
    assert event.sender.name == "Ana"
    assert not event.from_me and not event.is_group


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        (
            "image",
            {
                "id": "1479537139650973",
                "mime_type": "image/jpeg",
                "sha256": "aGFzaA==",
                "caption": "nota fiscal",
            },
            MessageType.image,
        ),
        ("video", {"id": "11", "mime_type": "video/mp4", "sha256": "h="}, MessageType.video),
        (
            "audio",
            {
                "id": "2079539139650111",
                "mime_type": "audio/ogg; codecs=opus",
                "sha256": "h=",
                "voice": True,
            },
            MessageType.voice,
        ),
        ("audio", {"id": "12", "mime_type": "audio/mpeg", "sha256": "h="}, MessageType.audio),
        (
            "document",
            {
                "id": "3079539139650222",
                "mime_type": "application/pdf",
                "sha256": "h=",
                "filename": "boleto.pdf",
            },
            MessageType.document,
        ),
        (
            "sticker",
            {"id": "13", "mime_type": "image/webp", "sha256": "h=", "animated": False},
            MessageType.sticker,
        ),
    ],
)
def test_media(
    adapter: CloudApiAdapter,
    hooks: CloudWebhooks,
    kind: str,
    content: dict[str, Any],
    expected: MessageType,
) -> None:
    event = parse_one(adapter, hooks, hooks.message(CUSTOMER, kind, content))
    assert event.type is expected
    assert event.media.provider_media_id == content["id"]
    assert event.media.mime_type == content["mime_type"]
    assert event.media.sha256 == content["sha256"]
    assert event.media.filename == content.get("filename")
    assert event.text == content.get("caption")


def test_media_with_url(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    url = "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1"
    content = {"id": "1", "mime_type": "image/png", "sha256": "h=", "url": url}
    event = parse_one(adapter, hooks, hooks.message(CUSTOMER, "image", content))
    assert event.media.url == url


def test_location(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    content = {
        "latitude": -23.5613,
        "longitude": -46.6565,
        "name": "Loja Paulista",
        "address": "Av. Paulista, 1000",
    }
    event = parse_one(adapter, hooks, hooks.message(CUSTOMER, "location", content))
    assert event.type is MessageType.location
    assert (event.location.latitude, event.location.longitude) == (-23.5613, -46.6565)
    assert event.location.name == "Loja Paulista"
    assert event.location.address == "Av. Paulista, 1000"


def test_contacts(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    cards = [
        {
            "name": {"formatted_name": "Bruno Lima", "first_name": "Bruno"},
            "phones": [
                {"phone": "+55 11 97777-6666", "wa_id": "5511977776666", "type": "CELL"},
                {"phone": "3333-4444", "type": "HOME"},  # local: no country, no E.164
            ],
            "emails": [{"email": "bruno@example.com", "type": "WORK"}],
        }
    ]
    event = parse_one(adapter, hooks, hooks.message(CUSTOMER, "contacts", cards))
    assert event.type is MessageType.contacts
    [card] = event.contacts
    assert card.name == "Bruno Lima"
    assert [p.e164 for p in card.phones] == ["+5511977776666", None]
    assert card.phones[0].wa_id == "5511977776666"
    assert card.emails == ["bruno@example.com"]


def test_button_reply_and_list_reply(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    button = hooks.message(
        CUSTOMER,
        "interactive",
        {
            "type": "button_reply",
            "button_reply": {"id": "talk_to_agent", "title": "Falar com atendente"},
        },
        context={"from": "15550001111", "id": "wamid.OUR_BUTTON_MSG"},
    )
    event = parse_one(adapter, hooks, button)
    assert event.type is MessageType.interactive
    assert event.interactive_reply.id == "talk_to_agent"
    assert event.text == event.interactive_reply.title == "Falar com atendente"
    assert event.reply_to == "wamid.OUR_BUTTON_MSG"

    listed = hooks.message(
        CUSTOMER,
        "interactive",
        {
            "type": "list_reply",
            "list_reply": {"id": "dept_billing", "title": "Financeiro", "description": "Boletos"},
        },
    )
    event = parse_one(adapter, hooks, listed)
    assert event.interactive_reply.id == "dept_billing"
    assert event.interactive_reply.description == "Boletos"


def test_template_quick_reply_button(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    message = hooks.message(CUSTOMER, "button", {"payload": "STOP_PROMOS", "text": "Parar"})
    event = parse_one(adapter, hooks, message)
    assert event.type is MessageType.interactive
    assert (event.interactive_reply.id, event.text) == ("STOP_PROMOS", "Parar")


def test_reaction_and_its_removal(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    added = parse_one(
        adapter,
        hooks,
        hooks.message(CUSTOMER, "reaction", {"message_id": "wamid.OUR_MSG_1", "emoji": "👍"}),
    )
    assert added.type is MessageType.reaction
    assert (added.reaction.target_message_id, added.reaction.emoji) == ("wamid.OUR_MSG_1", "👍")
    removed = parse_one(
        adapter, hooks, hooks.message(CUSTOMER, "reaction", {"message_id": "wamid.OUR_MSG_1"})
    )
    assert removed.reaction.emoji == ""


def test_reply_forward_and_referral(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    referral = {"source_url": "https://fb.me/ad", "source_type": "ad", "ctwa_clid": "abc"}
    message = hooks.text(
        CUSTOMER, "vi o anúncio", context={"forwarded": True, "id": "wamid.X"}, referral=referral
    )
    event = parse_one(adapter, hooks, message)
    assert event.reply_to == "wamid.X"
    assert event.forwarded
    assert event.extra["referral"] == referral


def test_system_unsupported_and_order(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    system = {
        "body": "User A changed from 1 to 2",
        "wa_id": "5511977776666",
        "type": "user_changed_number",
    }
    event = parse_one(adapter, hooks, hooks.message(CUSTOMER, "system", system))
    assert event.type is MessageType.system
    assert event.extra["system"]["wa_id"] == "5511977776666"

    unknown = hooks.message(
        CUSTOMER,
        "unsupported",
        {"type": "poll"},
        errors=[{"code": 131051, "title": "Message type unknown"}],
    )
    event = parse_one(adapter, hooks, unknown)
    assert event.type is MessageType.unsupported
    assert event.extra["errors"][0]["code"] == 131051

    order = hooks.message(
        CUSTOMER, "order", {"catalog_id": "1", "text": "quero", "product_items": []}
    )
    event = parse_one(adapter, hooks, order)
    assert (event.type, event.text) == (MessageType.unsupported, "quero")


def test_revoke_and_edit(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    revoke = hooks.message(
        CUSTOMER, "revoke", {"original_message_id": "wamid.ORIG"}, wamid="wamid.R"
    )
    event = parse_one(adapter, hooks, revoke)
    assert isinstance(event, MessageRevoked)
    assert (event.target_message_id, event.event_id) == ("wamid.ORIG", "revoked:wamid.R")

    edit = hooks.message(
        CUSTOMER,
        "edit",
        {
            "original_message_id": "wamid.ORIG",
            "message": {"type": "text", "text": {"body": "corrigido"}},
        },
    )
    event = parse_one(adapter, hooks, edit)
    assert isinstance(event, MessageEdited)
    assert (event.target_message_id, event.text) == ("wamid.ORIG", "corrigido")


def test_business_scoped_user_id_is_kept(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    message = hooks.text(CUSTOMER, "oi")
    payload = hooks.notification(
        messages=[message],
        contacts=[
            {
                "profile": {"name": "Ana", "username": "ana"},
                "wa_id": CUSTOMER,
                "user_id": "BR.1234567890",
            }
        ],
    )
    [event] = adapter.parse_webhook(hooks.delivery(payload).body)
    assert event.sender.business_user_id == "BR.1234567890"
    assert event.sender.username == "ana"


def test_sender_known_only_by_user_id_is_skipped(
    adapter: CloudApiAdapter, hooks: CloudWebhooks
) -> None:
    message = hooks.text(CUSTOMER, "oi")
    del message["from"]
    assert adapter.parse_webhook(hooks.delivery(hooks.notification(messages=[message])).body) == []


def test_batches_of_entries_changes_and_messages(
    adapter: CloudApiAdapter, hooks: CloudWebhooks
) -> None:
    first = hooks.notification(
        messages=[hooks.text(CUSTOMER, "1"), hooks.text("5511977776666", "2")]
    )
    second = hooks.notification(statuses=[hooks.status("wamid.OUT", "read", CUSTOMER)])
    first["entry"].append(second["entry"][0])
    first["entry"][0]["changes"].append({"field": "account_update", "value": {"event": "X"}})
    events = adapter.parse_webhook(hooks.delivery(first).body)
    assert [type(e).__name__ for e in events] == [
        "InboundMessage",
        "InboundMessage",
        "StatusUpdate",
    ]
    assert [e.ordering_key for e in events] == [CUSTOMER, "5511977776666", CUSTOMER]


# --- statuses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("sent", MessageStatus.sent),
        ("delivered", MessageStatus.delivered),
        ("read", MessageStatus.read),
        ("played", MessageStatus.read),
    ],
)
def test_statuses(
    adapter: CloudApiAdapter, hooks: CloudWebhooks, status: str, expected: MessageStatus
) -> None:
    payload = hooks.notification(statuses=[hooks.status("wamid.OUR_MSG_1", status, CUSTOMER)])
    [event] = adapter.parse_webhook(hooks.delivery(payload).body)
    assert isinstance(event, StatusUpdate)
    assert event.status is expected
    assert event.provider_message_id == "wamid.OUR_MSG_1"
    assert event.event_id == f"status:wamid.OUR_MSG_1:{status}"
    assert event.recipient == event.ordering_key == CUSTOMER
    assert event.error_code is None


def test_failed_status_outside_the_window(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    payload = hooks.notification(
        statuses=[hooks.status("wamid.OUR_MSG_2", "failed", CUSTOMER, error_code=131047)]
    )
    [event] = adapter.parse_webhook(hooks.delivery(payload).body)
    assert event.status is MessageStatus.failed
    assert event.error_code == "131047"
    assert event.window_closed
    assert "24 hours" in (event.error_message or "")


def test_failed_status_undeliverable(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    payload = hooks.notification(
        statuses=[hooks.status("wamid.3", "failed", CUSTOMER, error_code=131026)]
    )
    [event] = adapter.parse_webhook(hooks.delivery(payload).body)
    assert (event.error_code, event.window_closed) == ("131026", False)


def test_webhook_level_error_is_a_notice(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    error = {
        "code": 130429,
        "title": "Rate limit hit",
        "message": "Rate limit hit",
        "error_data": {"details": "Too many"},
    }
    [event] = adapter.parse_webhook(hooks.delivery(hooks.notification(errors=[error])).body)
    assert isinstance(event, ProviderNotice)
    assert event.code == "130429"
    # The same body delivered again is recognisably the same notice.
    [again] = adapter.parse_webhook(hooks.delivery(hooks.notification(errors=[error])).body)
    assert again.event_id == event.event_id


def test_business_app_echo_is_from_me(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    echo = {
        "from": "15550001111",
        "to": CUSTOMER,
        "id": "wamid.ECHO",
        "timestamp": "1697043223",
        "type": "text",
        "text": {"body": "typed on the phone"},
    }
    payload = hooks.notification(
        field_name="smb_message_echoes", contacts=[{"wa_id": CUSTOMER, "profile": {"name": "Ana"}}]
    )
    payload["entry"][0]["changes"][0]["value"]["message_echoes"] = [echo]
    [event] = adapter.parse_webhook(hooks.delivery(payload).body)
    assert event.from_me and event.echo_source == "app"
    assert event.chat_id == CUSTOMER
    assert event.sender.external_id == CUSTOMER  # the customer side, not the business


def test_redelivery_has_the_same_event_ids(adapter: CloudApiAdapter, hooks: CloudWebhooks) -> None:
    payload = hooks.notification(
        messages=[hooks.text(CUSTOMER, "oi", wamid="wamid.A")],
        statuses=[hooks.status("wamid.B", "delivered", CUSTOMER)],
    )
    first = adapter.parse_webhook(hooks.delivery(payload).body)
    again = adapter.parse_webhook(hooks.delivery(payload).body)
    assert (
        [e.event_id for e in first]
        == [e.event_id for e in again]
        == ["message:wamid.A", "status:wamid.B:delivered"]
    )
