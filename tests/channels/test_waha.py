"""WAHA: HMAC-SHA512 webhooks, chat ids (@c.us, @g.us, @lid), sends and sessions against
the fake over real HTTP."""

from __future__ import annotations

import base64

import httpx
import pytest

from nexus.channels import (
    AuthenticationFailed,
    ConnectionStateChanged,
    CustomerTyping,
    InboundMessage,
    InvalidSignature,
    MediaBytes,
    MediaDescriptor,
    MediaLink,
    MessageEdited,
    MessageRevoked,
    MissingSignature,
    Party,
    RateLimited,
    SessionUnavailable,
    StatusUpdate,
    UnknownOutcome,
)
from nexus.channels.waha import WahaAdapter, chat_id
from nexus.models import ConnectionStatus, IdentityKind, MessageStatus, MessageType
from tests.fakes.waha import API_KEY, HMAC_KEY, ME_LID, PNG_1X1, SESSION, FakeWaha, WahaWebhooks

CHAT = "5511988887777@c.us"
GROUP = "120363025555555555@g.us"


@pytest.fixture
def adapter(fake_waha: FakeWaha, http_client: httpx.AsyncClient) -> WahaAdapter:
    return WahaAdapter(
        {"base_url": fake_waha.base_url, "session": SESSION},
        {"api_key": API_KEY, "webhook_secret": HMAC_KEY},
        http_client,
    )


@pytest.fixture
def hooks() -> WahaWebhooks:
    return WahaWebhooks()


def parse(adapter: WahaAdapter, hooks: WahaWebhooks, payload: dict[str, object]) -> list[object]:
    delivery = hooks.delivery(payload)
    adapter.verify_webhook(delivery.headers, delivery.body, {})
    return list(adapter.parse_webhook(delivery.body))


# --- signature -----------------------------------------------------------------------


def test_documented_hmac_vector(adapter: WahaAdapter) -> None:
    body = b'{"event":"message","session":"tenant_42","payload":{}}'
    signature = (
        "d7623e6bb73e532599f652197a56c5494c4ee5a539d42cf120878636d8b6b4c7"
        "25c439db37375caaf4c86a8d339bf1006a8dbed645d7f22bca60625025ff4a35"
    )
    adapter.verify_webhook(
        {"X-Webhook-Hmac": signature, "X-Webhook-Hmac-Algorithm": "sha512"}, body, {}
    )
    assert adapter.parse_webhook(body) == []  # no payload id: nothing to report


def test_refused_deliveries(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    delivery = hooks.delivery(hooks.message(CHAT, "oi"))
    with pytest.raises(InvalidSignature):
        tampered = delivery.tampered()
        adapter.verify_webhook(tampered.headers, tampered.body, {})
    with pytest.raises(InvalidSignature):
        other = hooks.delivery(hooks.message(CHAT, "oi"), key="someone-else")
        adapter.verify_webhook(other.headers, other.body, {})
    with pytest.raises(MissingSignature):
        bare = delivery.without_header("X-Webhook-Hmac")
        adapter.verify_webhook(bare.headers, bare.body, {})
    with pytest.raises(InvalidSignature):
        sha256 = delivery.with_header("X-Webhook-Hmac-Algorithm", "sha256")
        adapter.verify_webhook(sha256.headers, sha256.body, {})


# --- inbound -------------------------------------------------------------------------


def test_one_to_one_text(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    [event] = parse(adapter, hooks, hooks.message(CHAT, "Oi, tudo bem?", wa_id="3EB0A1"))
    assert isinstance(event, InboundMessage)
    assert event.provider_message_id == "false_5511988887777@c.us_3EB0A1"
    assert event.event_id == "message:false_5511988887777@c.us_3EB0A1"
    assert event.chat_id == event.ordering_key == CHAT
    assert event.account_id == SESSION
    assert (event.type, event.text) == (MessageType.text, "Oi, tudo bem?")
    assert event.sender.kind is IdentityKind.whatsapp_phone
    assert event.sender.external_id == "5511988887777"
    assert event.sender.phone == "+5511988887777"
    assert event.sender.name == "Ana"
    assert not event.is_group and not event.from_me


def test_group_message_with_lid_participant(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    payload = hooks.message(GROUP, "bom dia", participant="214587963214785@lid")
    [event] = parse(adapter, hooks, payload)
    assert event.is_group
    assert event.group.kind is IdentityKind.whatsapp_group
    assert event.group.external_id == "120363025555555555"
    assert event.contact == event.group
    assert event.participant is event.sender
    assert event.sender.kind is IdentityKind.whatsapp_lid
    assert event.sender.lid == event.sender.external_id == "214587963214785"
    assert event.sender.phone is None  # a LID is never taken for a phone number
    assert event.provider_message_id.endswith("_214587963214785@lid")
    assert event.chat_id == GROUP


def test_lid_chat(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    [event] = parse(adapter, hooks, hooks.message("214587963214785@lid", "oi"))
    assert event.sender.identities() == [(IdentityKind.whatsapp_lid, "214587963214785")]


def test_media_message(adapter: WahaAdapter, hooks: WahaWebhooks, fake_waha: FakeWaha) -> None:
    url = "http://waha:3000/api/files/tenant_42/false_x.jpeg"
    payload = hooks.message(
        CHAT,
        "segue a foto",
        hasMedia=True,
        media={"url": url, "mimetype": "image/jpeg", "filename": None, "error": None},
    )
    [event] = parse(adapter, hooks, payload)
    assert (event.type, event.text) == (MessageType.image, "segue a foto")
    assert event.media.url == url and event.media.mime_type == "image/jpeg"


@pytest.mark.parametrize(
    ("mimetype", "kind"),
    [
        ("audio/ogg; codecs=opus", MessageType.voice),
        ("audio/mpeg", MessageType.audio),
        ("video/mp4", MessageType.video),
        ("image/webp", MessageType.sticker),
        ("application/pdf", MessageType.document),
    ],
)
def test_media_kinds(
    adapter: WahaAdapter, hooks: WahaWebhooks, mimetype: str, kind: MessageType
) -> None:
    payload = hooks.message(
        CHAT, hasMedia=True, media={"url": "http://w/api/files/x", "mimetype": mimetype}
    )
    [event] = parse(adapter, hooks, payload)
    assert event.type is kind


def test_media_not_downloaded_by_waha_is_kept_without_file(
    adapter: WahaAdapter, hooks: WahaWebhooks
) -> None:
    payload = hooks.message(
        CHAT, hasMedia=True, media={"url": None, "mimetype": "video/mp4", "error": "too big"}
    )
    [event] = parse(adapter, hooks, payload)
    assert event.type is MessageType.video
    assert event.extra["media_error"] == "too big"


def test_location_and_vcard(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    location = {"latitude": -23.56, "longitude": -46.65, "name": "Loja", "address": "Av. Paulista"}
    [event] = parse(adapter, hooks, hooks.message(CHAT, location=location))
    assert event.type is MessageType.location and event.location.name == "Loja"

    card = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Bruno Lima\n"
        "item1.TEL;waid=5511977776666:+55 11 97777-6666\nEND:VCARD"
    )
    [event] = parse(adapter, hooks, hooks.message(CHAT, vCards=[card]))
    assert event.type is MessageType.contacts
    assert event.contacts[0].name == "Bruno Lima"
    assert event.contacts[0].phones[0].e164 == "+5511977776666"
    assert event.contacts[0].vcard == card


def test_reply_to_is_rebuilt_as_a_serialized_id(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    ours = hooks.message(
        CHAT,
        "sim",
        replyTo={"id": "3EB0OURS", "participant": "5511911112222@c.us", "body": "Quer falar?"},
    )
    [event] = parse(adapter, hooks, ours)
    assert event.reply_to == "true_5511988887777@c.us_3EB0OURS"
    theirs = hooks.message(
        GROUP,
        "isso",
        participant="5511977776666@c.us",
        replyTo={"id": "3EB0THEIRS", "participant": "5511966665555@c.us"},
    )
    [event] = parse(adapter, hooks, theirs)
    assert event.reply_to == f"false_{GROUP}_3EB0THEIRS_5511966665555@c.us"


def test_reaction(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    target = "true_5511988887777@c.us_3EB0OURS"
    payload = hooks.message(
        CHAT, event="message.reaction", reaction={"text": "🙏", "messageId": target}
    )
    [event] = parse(adapter, hooks, payload)
    assert event.type is MessageType.reaction
    assert (event.reaction.target_message_id, event.reaction.emoji) == (target, "🙏")
    removed = hooks.message(
        CHAT, event="message.reaction", reaction={"text": "", "messageId": target}
    )
    [event] = parse(adapter, hooks, removed)
    assert event.reaction.emoji == ""


def test_own_messages_are_reported_as_echoes(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    typed = hooks.message(CHAT, "digitado no celular", from_me=True, event="message.any")
    [event] = parse(adapter, hooks, typed)
    assert event.from_me and event.echo_source == "app"
    assert event.chat_id == CHAT
    assert event.sender.external_id == "5511988887777"  # the customer side of the chat
    api = hooks.message(CHAT, "via api", from_me=True, event="message.any", source="api")
    [event] = parse(adapter, hooks, api)
    assert event.echo_source == "api"


def test_message_and_message_any_share_the_event_id(
    adapter: WahaAdapter, hooks: WahaWebhooks
) -> None:
    first = hooks.message(CHAT, "oi", wa_id="3EB0DUP")
    second = hooks.message(CHAT, "oi", wa_id="3EB0DUP", event="message.any")
    assert parse(adapter, hooks, first)[0].event_id == parse(adapter, hooks, second)[0].event_id


@pytest.mark.parametrize(
    ("ack", "status"),
    [
        (1, MessageStatus.sent),
        (2, MessageStatus.delivered),
        (3, MessageStatus.read),
        (4, MessageStatus.read),
        (-1, MessageStatus.failed),
    ],
)
def test_acks(adapter: WahaAdapter, hooks: WahaWebhooks, ack: int, status: MessageStatus) -> None:
    message_id = "true_5511988887777@c.us_3EB0FACEB00C"
    [event] = parse(adapter, hooks, hooks.ack(message_id, ack, chat=CHAT))
    assert isinstance(event, StatusUpdate)
    assert event.status is status
    assert event.event_id == f"status:{message_id}:{ack}"
    assert event.ordering_key == event.recipient == CHAT
    assert (event.error_code is not None) == (status is MessageStatus.failed)


def test_pending_and_foreign_acks_are_skipped(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    assert parse(adapter, hooks, hooks.ack("true_5511988887777@c.us_A", 0, chat=CHAT)) == []
    assert parse(adapter, hooks, hooks.ack("false_5511988887777@c.us_B", 3, chat=CHAT)) == []


def test_revoked_and_edited(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    stub = hooks.message(CHAT)["payload"]
    revoked = hooks.event(
        "message.revoked", {"revokedMessageId": "3EB0GONE", "after": stub, "before": None}
    )
    [event] = parse(adapter, hooks, revoked)
    assert isinstance(event, MessageRevoked)
    assert event.target_message_id == "false_5511988887777@c.us_3EB0GONE"

    edited = hooks.message(CHAT, "texto novo", event="message.edited", editedMessageId="3EB0OLD")
    [event] = parse(adapter, hooks, edited)
    assert isinstance(event, MessageEdited)
    assert (event.target_message_id, event.text) == (
        "false_5511988887777@c.us_3EB0OLD",
        "texto novo",
    )


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("STARTING", ConnectionStatus.starting),
        ("SCAN_QR_CODE", ConnectionStatus.qr),
        ("WORKING", ConnectionStatus.connected),
        ("FAILED", ConnectionStatus.failed),
        ("STOPPED", ConnectionStatus.stopped),
        ("PASSKEY_REQUIRED", ConnectionStatus.qr),
    ],
)
def test_session_status(
    adapter: WahaAdapter, hooks: WahaWebhooks, state: str, status: ConnectionStatus
) -> None:
    [event] = parse(adapter, hooks, hooks.session_status(state))
    assert isinstance(event, ConnectionStateChanged)
    assert (event.status, event.provider_state) == (status, state)
    assert event.phone == ("+5511911112222" if state == "WORKING" else None)
    # A redelivery is the same event; a later change of the same status is not.
    [again] = parse(adapter, hooks, hooks.session_status(state))
    [later] = parse(adapter, hooks, hooks.session_status(state, changed_at_ms=1760000999000))
    assert again.event_id == event.event_id != later.event_id


def test_other_events_are_skipped(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    assert parse(adapter, hooks, hooks.event("presence.update", {"id": CHAT})) == []
    assert parse(adapter, hooks, hooks.message("status@broadcast", "story")) == []


def typing(adapter: WahaAdapter, hooks: WahaWebhooks, payload: dict[str, object]) -> list[object]:
    delivery = hooks.delivery(payload)
    adapter.verify_webhook(delivery.headers, delivery.body, {})
    return list(adapter.parse_typing(delivery.body))


@pytest.mark.parametrize(
    ("state", "is_typing"),
    [("typing", True), ("recording", True), ("paused", False), ("online", False)],
)
def test_presence_is_the_customers_typing_and_never_an_event(
    adapter: WahaAdapter, hooks: WahaWebhooks, state: str, is_typing: bool
) -> None:
    presence = hooks.presence(CHAT, state)
    [signal] = typing(adapter, hooks, presence)
    assert signal == CustomerTyping(
        contact=Party(
            kind=IdentityKind.whatsapp_phone, external_id="5511988887777", phone="+5511988887777"
        ),
        is_typing=is_typing,
    )
    assert parse(adapter, hooks, presence) == []  # nothing for the inbox


def test_typing_in_groups_and_what_is_not_typing(adapter: WahaAdapter, hooks: WahaWebhooks) -> None:
    [signal] = typing(adapter, hooks, hooks.presence(GROUP, "typing", participant=CHAT))
    assert (signal.contact.kind, signal.contact.external_id, signal.is_typing) == (
        IdentityKind.whatsapp_group,
        "120363025555555555",
        True,
    )
    # Our own presence, a broadcast, an empty list, and the other events carry no typing.
    assert typing(adapter, hooks, hooks.presence(GROUP, "typing", participant=ME_LID)) == []
    assert typing(adapter, hooks, hooks.presence("status@broadcast", "typing")) == []
    assert typing(adapter, hooks, hooks.event("presence.update", {"id": CHAT})) == []
    assert typing(adapter, hooks, hooks.message(CHAT, "oi")) == []


# --- sends ---------------------------------------------------------------------------


def test_chat_ids() -> None:
    assert chat_id("+55 11 98888-7777") == CHAT
    assert chat_id("5511988887777@s.whatsapp.net") == CHAT
    assert chat_id(GROUP) == GROUP
    assert chat_id("214587963214785@lid") == "214587963214785@lid"


async def test_send_text(adapter: WahaAdapter, fake_waha: FakeWaha) -> None:
    fake_waha.add_session()
    result = await adapter.send_text(
        "+5511988887777", "Olá!", reply_to="false_5511988887777@c.us_3EB0A1"
    )
    request = fake_waha.last("/api/sendText")
    assert request.headers["x-api-key"] == API_KEY
    assert request.json == {
        "session": SESSION,
        "chatId": CHAT,
        "text": "Olá!",
        "reply_to": "false_5511988887777@c.us_3EB0A1",
    }
    assert result.provider_message_id.startswith("true_5511988887777@c.us_")


async def test_send_media(adapter: WahaAdapter, fake_waha: FakeWaha) -> None:
    fake_waha.add_session()
    await adapter.send_media(
        CHAT,
        MessageType.image,
        MediaLink("https://files.example.com/c.jpg", "image/jpeg", "c.jpg"),
        caption="Comprovante",
    )
    assert fake_waha.last("/api/sendImage").json == {
        "session": SESSION,
        "chatId": CHAT,
        "caption": "Comprovante",
        "file": {
            "mimetype": "image/jpeg",
            "filename": "c.jpg",
            "url": "https://files.example.com/c.jpg",
        },
    }
    await adapter.send_media(CHAT, MessageType.voice, MediaBytes(b"webm-bytes", "audio/webm"))
    voice = fake_waha.last("/api/sendVoice").json
    assert voice["convert"] is True
    assert base64.b64decode(voice["file"]["data"]) == b"webm-bytes"
    await adapter.send_media(CHAT, MessageType.document, MediaLink("https://f.example/a.pdf"))
    assert fake_waha.last("/api/sendFile").json["file"]["mimetype"] == "application/pdf"  # guessed


async def test_reaction_seen_and_typing(adapter: WahaAdapter, fake_waha: FakeWaha) -> None:
    fake_waha.add_session()
    assert await adapter.send_reaction(CHAT, "false_5511988887777@c.us_3EB0A1", "👍") is None
    assert fake_waha.last("/api/reaction").json == {
        "session": SESSION,
        "messageId": "false_5511988887777@c.us_3EB0A1",
        "reaction": "👍",
    }
    group_message = f"false_{GROUP}_3EB0FFEE_5511977776666@c.us"
    await adapter.mark_read(GROUP, [group_message])
    assert fake_waha.last("/api/sendSeen").json == {
        "session": SESSION,
        "chatId": GROUP,
        "messageIds": [group_message],
        "participant": "5511977776666@c.us",
    }
    await adapter.send_typing(CHAT)
    assert fake_waha.last("/api/startTyping").json == {"session": SESSION, "chatId": CHAT}


async def test_interactive_falls_back_to_numbered_text(
    adapter: WahaAdapter, fake_waha: FakeWaha
) -> None:
    from nexus.channels import Button

    fake_waha.add_session()
    await adapter.send_interactive_buttons(
        CHAT, "Escolha", [Button("a", "Vendas"), Button("b", "Suporte")]
    )
    assert fake_waha.last("/api/sendText").json["text"] == "Escolha\n\n1. Vendas\n2. Suporte"


async def test_send_while_not_working_is_session_unavailable(
    adapter: WahaAdapter, fake_waha: FakeWaha
) -> None:
    fake_waha.add_session(status="SCAN_QR_CODE")
    with pytest.raises(SessionUnavailable) as error:
        await adapter.send_text(CHAT, "oi")
    assert error.value.code == "SCAN_QR_CODE"


async def test_errors(
    adapter: WahaAdapter, fake_waha: FakeWaha, http_client: httpx.AsyncClient
) -> None:
    fake_waha.add_session()
    fake_waha.server_error_next(429)
    with pytest.raises(RateLimited) as limited:
        await adapter.send_text(CHAT, "oi")
    assert limited.value.retry_after == 1.0
    fake_waha.drop_next(path="/api/sendText")
    with pytest.raises(UnknownOutcome):
        await adapter.send_text(CHAT, "oi")
    wrong_key = WahaAdapter(
        {"base_url": fake_waha.base_url, "session": SESSION},
        {"api_key": "nope", "verify_token": "v"},
        http_client,
    )
    with pytest.raises(AuthenticationFailed):
        await wrong_key.send_text(CHAT, "oi")


async def test_download_media_through_the_configured_base_url(
    adapter: WahaAdapter, fake_waha: FakeWaha
) -> None:
    fake_waha.add_file("false_x.jpeg", b"jpeg-bytes", "image/jpeg")
    # WAHA advertises its own host name; the file is fetched from the configured one.
    media = await adapter.download_media(
        MediaDescriptor(
            url="http://waha:3000/api/files/tenant_42/false_x.jpeg", mime_type="image/jpeg"
        )
    )
    assert (media.data, media.mime_type) == (b"jpeg-bytes", "image/jpeg")
    assert fake_waha.last("/api/files/").headers["x-api-key"] == API_KEY


# --- sessions ------------------------------------------------------------------------


async def test_start_creates_the_session_with_a_signed_webhook(
    adapter: WahaAdapter, fake_waha: FakeWaha
) -> None:
    state = await adapter.start_session(webhook_url="https://nexus.example/webhooks/waha/k")
    assert (state.status, state.provider_state) == (ConnectionStatus.qr, "SCAN_QR_CODE")
    created = fake_waha.last("/api/sessions")
    assert created.method == "POST" and created.path == "/api/sessions"
    [webhook] = created.json["config"]["webhooks"]
    assert webhook["url"] == "https://nexus.example/webhooks/waha/k"
    assert webhook["hmac"] == {"key": HMAC_KEY}
    assert {"message.any", "message.ack", "session.status"} <= set(webhook["events"])


async def test_start_an_existing_session_keeps_its_config(
    adapter: WahaAdapter, fake_waha: FakeWaha
) -> None:
    session = fake_waha.add_session(status="STOPPED")
    session.paired = True
    session.config = {"metadata": {"tenant_id": "42"}, "webhooks": [{"url": "https://old.example"}]}
    state = await adapter.start_session(webhook_url="https://nexus.example/hook")
    assert state.status is ConnectionStatus.connected
    assert state.phone == "+5511911112222"
    assert session.config["metadata"] == {"tenant_id": "42"}
    assert [w["url"] for w in session.config["webhooks"]] == [
        "https://old.example",
        "https://nexus.example/hook",
    ]


async def test_qr_status_stop_and_logout(adapter: WahaAdapter, fake_waha: FakeWaha) -> None:
    fake_waha.add_session(status="SCAN_QR_CODE")
    qr = await adapter.get_qr()
    assert qr is not None and qr.qr and qr.qr.startswith("2@")
    assert qr.image_data_url == "data:image/png;base64," + base64.b64encode(PNG_1X1).decode()
    assert (await adapter.get_status()).status is ConnectionStatus.qr
    await adapter.stop_session()
    assert (await adapter.get_status()).status is ConnectionStatus.stopped
    assert await adapter.get_qr() is None  # not waiting for a scan
    await adapter.logout_session()
    assert fake_waha.last("/logout").method == "POST"


async def test_resolve_lid(adapter: WahaAdapter, fake_waha: FakeWaha) -> None:
    fake_waha.lids["214587963214785@lid"] = "5511988887777@c.us"
    fake_waha.lids["111@lid"] = None
    assert await adapter.resolve_lid("214587963214785") == "+5511988887777"
    assert await adapter.resolve_lid("111@lid") is None
    assert await adapter.resolve_lid(ME_LID.removesuffix("@lid")) is None  # unknown: 404
