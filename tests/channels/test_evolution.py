"""Evolution API v2: header-token webhooks, Baileys message shapes, LID alternates, echoes,
sends and instance control against the fake over real HTTP."""

from __future__ import annotations

import base64
from typing import Any

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
    QrCodeUpdated,
    RecipientUnavailable,
    StatusUpdate,
    TransientError,
    UnknownOutcome,
)
from nexus.channels.evolution import EvolutionAdapter, number, remote_jid
from nexus.models import ConnectionStatus, IdentityKind, MessageStatus, MessageType
from tests.fakes.evolution import (
    API_KEY,
    INSTANCE,
    OWN_JID,
    TOKEN_HEADER,
    WEBHOOK_TOKEN,
    EvolutionWebhooks,
    FakeEvolution,
)

JID = "5511988887777@s.whatsapp.net"
GROUP = "120363025555555555@g.us"


@pytest.fixture
def adapter(fake_evolution: FakeEvolution, http_client: httpx.AsyncClient) -> EvolutionAdapter:
    return EvolutionAdapter(
        {"base_url": fake_evolution.base_url, "instance": INSTANCE, "typing_ms": "500"},
        {"api_key": API_KEY, "webhook_secret": WEBHOOK_TOKEN},
        http_client,
    )


@pytest.fixture
def hooks() -> EvolutionWebhooks:
    return EvolutionWebhooks()


def parse(
    adapter: EvolutionAdapter, hooks: EvolutionWebhooks, payload: dict[str, Any]
) -> list[Any]:
    delivery = hooks.delivery(payload)
    adapter.verify_webhook(delivery.headers, delivery.body, {})
    return list(adapter.parse_webhook(delivery.body))


def test_token_header(adapter: EvolutionAdapter, hooks: EvolutionWebhooks) -> None:
    delivery = hooks.delivery(hooks.text(JID, "oi"))
    adapter.verify_webhook(delivery.headers, delivery.body, {})
    with pytest.raises(InvalidSignature):
        wrong = hooks.delivery(hooks.text(JID, "oi"), token="guessed")
        adapter.verify_webhook(wrong.headers, wrong.body, {})
    with pytest.raises(MissingSignature):
        bare = delivery.without_header(TOKEN_HEADER)
        adapter.verify_webhook(bare.headers, bare.body, {})


def test_text_in_both_shapes(adapter: EvolutionAdapter, hooks: EvolutionWebhooks) -> None:
    [event] = parse(adapter, hooks, hooks.text(JID, "Oi, preciso de ajuda", key_id="3EB0A1"))
    assert isinstance(event, InboundMessage)
    assert (event.event_id, event.provider_message_id) == ("message:3EB0A1", "3EB0A1")
    assert event.chat_id == event.ordering_key == JID
    assert event.account_id == INSTANCE
    assert (event.type, event.text) == (MessageType.text, "Oi, preciso de ajuda")
    assert event.sender.kind is IdentityKind.whatsapp_phone
    assert (event.sender.external_id, event.sender.phone, event.sender.name) == (
        "5511988887777",
        "+5511988887777",
        "Ana",
    )
    extended = hooks.upsert(
        JID,
        {
            "extendedTextMessage": {
                "text": "com link https://x.y",
                "contextInfo": {"stanzaId": "3EB0Q", "isForwarded": True},
            }
        },
    )
    [event] = parse(adapter, hooks, extended)
    assert (event.text, event.reply_to, event.forwarded) == ("com link https://x.y", "3EB0Q", True)


def test_lid_addressing_keeps_the_phone_alternate(
    adapter: EvolutionAdapter, hooks: EvolutionWebhooks
) -> None:
    payload = hooks.text("214587963214785@lid", "oi", remoteJidAlt=JID)
    [event] = parse(adapter, hooks, payload)
    assert event.sender.kind is IdentityKind.whatsapp_lid
    assert event.sender.phone == "+5511988887777"
    assert event.sender.identities() == [
        (IdentityKind.whatsapp_lid, "214587963214785"),
        (IdentityKind.whatsapp_phone, "5511988887777"),
    ]


def test_group_participant(adapter: EvolutionAdapter, hooks: EvolutionWebhooks) -> None:
    payload = hooks.text(
        GROUP,
        "bom dia",
        participant="214587963214785@lid",
        participantAlt="5511977776666@s.whatsapp.net",
    )
    [event] = parse(adapter, hooks, payload)
    assert event.group.external_id == "120363025555555555"
    assert event.sender.lid == "214587963214785" and event.sender.phone == "+5511977776666"
    assert event.contact == event.group


@pytest.mark.parametrize(
    ("message", "kind", "caption"),
    [
        (
            {
                "imageMessage": {
                    "url": "https://mmg.whatsapp.net/enc",
                    "mimetype": "image/jpeg",
                    "caption": "nota",
                    "fileSha256": "aGFzaA==",
                    "fileLength": "2048",
                }
            },
            MessageType.image,
            "nota",
        ),
        (
            {
                "audioMessage": {
                    "mimetype": "audio/ogg; codecs=opus",
                    "ptt": True,
                    "fileLength": {"low": 900, "high": 0, "unsigned": True},
                }
            },
            MessageType.voice,
            None,
        ),
        ({"audioMessage": {"mimetype": "audio/mpeg", "ptt": False}}, MessageType.audio, None),
        ({"videoMessage": {"mimetype": "video/mp4", "caption": "olha"}}, MessageType.video, "olha"),
        ({"stickerMessage": {"mimetype": "image/webp"}}, MessageType.sticker, None),
        (
            {
                "documentWithCaptionMessage": {
                    "message": {
                        "documentMessage": {
                            "mimetype": "application/pdf",
                            "fileName": "boleto.pdf",
                            "caption": "segue",
                        }
                    }
                }
            },
            MessageType.document,
            "segue",
        ),
    ],
)
def test_media(
    adapter: EvolutionAdapter,
    hooks: EvolutionWebhooks,
    message: dict[str, Any],
    kind: MessageType,
    caption: str | None,
) -> None:
    [event] = parse(adapter, hooks, hooks.upsert(JID, message, key_id="3EB0MEDIA"))
    assert event.type is kind
    assert event.text == caption
    assert event.media.provider_media_id == "3EB0MEDIA"  # fetched by message id
    assert event.media.url is None  # the WhatsApp CDN URL is encrypted, useless to us
    if kind is MessageType.image:
        assert (event.media.size, event.media.sha256) == (2048, "aGFzaA==")
    if kind is MessageType.voice:
        assert event.media.size == 900
    if kind is MessageType.document:
        assert event.media.filename == "boleto.pdf"


def test_location_contact_reaction_and_list_reply(
    adapter: EvolutionAdapter, hooks: EvolutionWebhooks
) -> None:
    [event] = parse(
        adapter,
        hooks,
        hooks.upsert(
            JID,
            {
                "locationMessage": {
                    "degreesLatitude": -23.5,
                    "degreesLongitude": -46.6,
                    "name": "Loja",
                }
            },
        ),
    )
    assert event.type is MessageType.location and event.location.latitude == -23.5
    card = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Bruno\n"
        "TEL;type=CELL;waid=5511977776666:+55 11 97777-6666\nEND:VCARD"
    )
    [event] = parse(
        adapter,
        hooks,
        hooks.upsert(JID, {"contactMessage": {"displayName": "Bruno", "vcard": card}}),
    )
    assert event.contacts[0].phones[0].wa_id == "5511977776666"
    [event] = parse(
        adapter,
        hooks,
        hooks.upsert(
            JID,
            {
                "reactionMessage": {
                    "key": {"remoteJid": JID, "fromMe": True, "id": "3EB0OURS"},
                    "text": "❤️",
                }
            },
        ),
    )
    assert (event.type, event.reaction.target_message_id, event.reaction.emoji) == (
        MessageType.reaction,
        "3EB0OURS",
        "❤️",
    )
    [event] = parse(
        adapter,
        hooks,
        hooks.upsert(
            JID,
            {
                "listResponseMessage": {
                    "title": "Financeiro",
                    "singleSelectReply": {"selectedRowId": "dept_billing"},
                }
            },
        ),
    )
    assert (event.type, event.interactive_reply.id, event.text) == (
        MessageType.interactive,
        "dept_billing",
        "Financeiro",
    )


def test_unknown_content_is_unsupported(
    adapter: EvolutionAdapter, hooks: EvolutionWebhooks
) -> None:
    [event] = parse(adapter, hooks, hooks.upsert(JID, {"pollCreationMessage": {"name": "?"}}))
    assert event.type is MessageType.unsupported
    assert event.extra["provider_type"] == "pollCreationMessage"


def test_echoes(adapter: EvolutionAdapter, hooks: EvolutionWebhooks) -> None:
    [typed] = parse(adapter, hooks, hooks.text(JID, "do celular", from_me=True))
    assert typed.from_me and typed.echo_source == "app"
    assert typed.sender.external_id == "5511988887777" and typed.sender.name is None  # not "Você"
    [api] = parse(adapter, hooks, hooks.text(JID, "pela api", from_me=True, event="send.message"))
    assert api.from_me and api.echo_source == "api"


def test_revoke_and_edit(adapter: EvolutionAdapter, hooks: EvolutionWebhooks) -> None:
    revoke = hooks.upsert(
        JID,
        {
            "protocolMessage": {
                "key": {"remoteJid": JID, "fromMe": False, "id": "3EB0GONE"},
                "type": "REVOKE",
            }
        },
    )
    [event] = parse(adapter, hooks, revoke)
    assert isinstance(event, MessageRevoked) and event.target_message_id == "3EB0GONE"
    edit = hooks.upsert(
        JID,
        {
            "protocolMessage": {
                "key": {"id": "3EB0OLD"},
                "type": "MESSAGE_EDIT",
                "editedMessage": {"conversation": "corrigido"},
            }
        },
    )
    [event] = parse(adapter, hooks, edit)
    assert isinstance(event, MessageEdited) and (event.target_message_id, event.text) == (
        "3EB0OLD",
        "corrigido",
    )
    [event] = parse(
        adapter,
        hooks,
        hooks.event("messages.delete", {"remoteJid": JID, "fromMe": False, "id": "3EB0DEL"}),
    )
    assert isinstance(event, MessageRevoked) and event.target_message_id == "3EB0DEL"


def typing(
    adapter: EvolutionAdapter, hooks: EvolutionWebhooks, payload: dict[str, Any]
) -> list[Any]:
    delivery = hooks.delivery(payload)
    adapter.verify_webhook(delivery.headers, delivery.body, {})
    return list(adapter.parse_typing(delivery.body))


@pytest.mark.parametrize(
    ("state", "is_typing"),
    [("composing", True), ("recording", True), ("paused", False), ("available", False)],
)
def test_presence_is_the_customers_typing_and_never_an_event(
    adapter: EvolutionAdapter, hooks: EvolutionWebhooks, state: str, is_typing: bool
) -> None:
    presence = hooks.presence(JID, state)
    [signal] = typing(adapter, hooks, presence)
    assert signal == CustomerTyping(
        contact=Party(
            kind=IdentityKind.whatsapp_phone, external_id="5511988887777", phone="+5511988887777"
        ),
        is_typing=is_typing,
    )
    assert parse(adapter, hooks, presence) == []  # nothing for the inbox
    # Setups that send the UPPER_SNAKE names are read the same.
    assert typing(adapter, hooks, {**presence, "event": "PRESENCE_UPDATE"}) == [signal]


def test_typing_by_lid_in_groups_and_what_is_not_typing(
    adapter: EvolutionAdapter, hooks: EvolutionWebhooks
) -> None:
    [signal] = typing(adapter, hooks, hooks.presence("99887766554433@lid", "composing"))
    assert (signal.contact.kind, signal.contact.external_id) == (
        IdentityKind.whatsapp_lid,
        "99887766554433",
    )
    [signal] = typing(adapter, hooks, hooks.presence(GROUP, "composing", participant=JID))
    assert (signal.contact.kind, signal.contact.external_id) == (
        IdentityKind.whatsapp_group,
        "120363025555555555",
    )
    # Our own presence, a broadcast and the other events carry no typing.
    assert typing(adapter, hooks, hooks.presence(GROUP, "composing", participant=OWN_JID)) == []
    assert typing(adapter, hooks, hooks.presence("status@broadcast", "composing")) == []
    assert typing(adapter, hooks, hooks.text(JID, "oi")) == []


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("SERVER_ACK", MessageStatus.sent),
        ("DELIVERY_ACK", MessageStatus.delivered),
        ("READ", MessageStatus.read),
        ("PLAYED", MessageStatus.read),
        ("ERROR", MessageStatus.failed),
        (3, MessageStatus.delivered),
    ],
)
def test_receipts(
    adapter: EvolutionAdapter, hooks: EvolutionWebhooks, status: str | int, expected: MessageStatus
) -> None:
    [event] = parse(adapter, hooks, hooks.receipt("3EB0C0FFEE", status, remote_jid=JID))
    assert isinstance(event, StatusUpdate)
    assert (event.status, event.provider_message_id, event.ordering_key) == (
        expected,
        "3EB0C0FFEE",
        JID,
    )


def test_pending_and_foreign_receipts_are_skipped(
    adapter: EvolutionAdapter, hooks: EvolutionWebhooks
) -> None:
    assert parse(adapter, hooks, hooks.receipt("A", "PENDING", remote_jid=JID)) == []
    assert parse(adapter, hooks, hooks.receipt("B", "READ", remote_jid=JID, from_me=False)) == []


def test_connection_updates(adapter: EvolutionAdapter, hooks: EvolutionWebhooks) -> None:
    [opened] = parse(adapter, hooks, hooks.connection("open"))
    assert isinstance(opened, ConnectionStateChanged)
    assert (opened.status, opened.phone) == (ConnectionStatus.connected, "+5511911112222")
    [logged_out] = parse(adapter, hooks, hooks.connection("close", status_reason=401))
    assert logged_out.status is ConnectionStatus.failed
    [dropped] = parse(adapter, hooks, hooks.connection("close", status_reason=428))
    assert dropped.status is ConnectionStatus.disconnected
    [refused] = parse(adapter, hooks, hooks.connection("refused"))
    assert refused.status is ConnectionStatus.failed
    # A reconnect loop: the same state at another time is another event; a redelivery is not.
    [again] = parse(adapter, hooks, hooks.connection("open"))
    [later] = parse(adapter, hooks, hooks.connection("open", date_time="2025-10-21T14:06:00.000Z"))
    assert again.event_id == opened.event_id != later.event_id


def test_qrcode_updates(adapter: EvolutionAdapter, hooks: EvolutionWebhooks) -> None:
    [event] = parse(adapter, hooks, hooks.qrcode("2@AbC123"))
    assert isinstance(event, QrCodeUpdated)
    assert event.qr == "2@AbC123" and (event.image_data_url or "").startswith(
        "data:image/png;base64,"
    )
    limit = hooks.event(
        "qrcode.updated",
        {"message": "QR code limit reached, please login again", "statusCode": 500},
    )
    [event] = parse(adapter, hooks, limit)
    assert isinstance(event, ConnectionStateChanged) and event.status is ConnectionStatus.failed


def test_upper_snake_event_names(adapter: EvolutionAdapter, hooks: EvolutionWebhooks) -> None:
    payload = hooks.text(JID, "oi")
    payload["event"] = "MESSAGES_UPSERT"
    assert len(parse(adapter, hooks, payload)) == 1


# --- sends ---------------------------------------------------------------------------


def test_addresses() -> None:
    assert number("+55 11 98888-7777") == number(JID) == "5511988887777"
    assert number(GROUP) == GROUP
    assert remote_jid("5511988887777") == JID
    assert remote_jid("5511988887777@c.us") == JID


async def test_send_text(adapter: EvolutionAdapter, fake_evolution: FakeEvolution) -> None:
    fake_evolution.add_instance()
    result = await adapter.send_text(JID, "Olá!", reply_to="3EB0Q")
    request = fake_evolution.last("/message/sendText/t42")
    assert request.headers["apikey"] == API_KEY
    assert request.json == {
        "number": "5511988887777",
        "text": "Olá!",
        "quoted": {"key": {"id": "3EB0Q"}},
    }
    assert result.provider_message_id.startswith("3EB0")
    assert result.recipient_id == JID


async def test_send_media(adapter: EvolutionAdapter, fake_evolution: FakeEvolution) -> None:
    fake_evolution.add_instance()
    await adapter.send_media(
        JID,
        MessageType.document,
        MediaBytes(b"%PDF", "application/pdf", "boleto.pdf"),
        caption="Boleto",
    )
    assert fake_evolution.last("/message/sendMedia/").json == {
        "number": "5511988887777",
        "mediatype": "document",
        "mimetype": "application/pdf",
        "media": base64.b64encode(b"%PDF").decode(),
        "caption": "Boleto",
        "fileName": "boleto.pdf",
    }
    await adapter.send_media(JID, MessageType.image, MediaLink("https://files.example.com/p.jpg"))
    assert (
        fake_evolution.last("/message/sendMedia/").json["media"]
        == "https://files.example.com/p.jpg"
    )
    await adapter.send_media(JID, MessageType.voice, MediaBytes(b"OggS", "audio/ogg"))
    assert fake_evolution.last("/message/sendWhatsAppAudio/").json == {
        "number": "5511988887777",
        "audio": base64.b64encode(b"OggS").decode(),
    }


async def test_reaction_read_and_presence(
    adapter: EvolutionAdapter, fake_evolution: FakeEvolution
) -> None:
    fake_evolution.add_instance()
    result = await adapter.send_reaction("5511988887777", "3EB0A1", "👍")
    assert fake_evolution.last("/message/sendReaction/").json == {
        "key": {"remoteJid": JID, "fromMe": False, "id": "3EB0A1"},
        "reaction": "👍",
    }
    assert result.provider_message_id
    await adapter.mark_read(JID, ["3EB0A1", "3EB0A2"])
    assert fake_evolution.last("/chat/markMessageAsRead/").json == {
        "readMessages": [
            {"remoteJid": JID, "fromMe": False, "id": "3EB0A1"},
            {"remoteJid": JID, "fromMe": False, "id": "3EB0A2"},
        ]
    }
    await adapter.send_typing(JID)
    assert fake_evolution.last("/chat/sendPresence/").json == {
        "number": "5511988887777",
        "presence": "composing",
        "delay": 500,
    }


async def test_send_errors(
    adapter: EvolutionAdapter, fake_evolution: FakeEvolution, http_client: httpx.AsyncClient
) -> None:
    instance = fake_evolution.add_instance()
    fake_evolution.not_on_whatsapp.add("5511900000000")
    with pytest.raises(RecipientUnavailable):
        await adapter.send_text("5511900000000", "oi")
    fake_evolution.drop_next(path="/message/")
    with pytest.raises(UnknownOutcome):
        await adapter.send_text(JID, "oi")
    instance.state = "close"
    with pytest.raises(TransientError):
        await adapter.send_text(JID, "oi")
    wrong = EvolutionAdapter(
        {"base_url": fake_evolution.base_url, "instance": INSTANCE},
        {"api_key": "x", "verify_token": "v"},
        http_client,
    )
    with pytest.raises(AuthenticationFailed):
        await wrong.send_text(JID, "oi")


async def test_instance_token_is_accepted(
    fake_evolution: FakeEvolution, http_client: httpx.AsyncClient
) -> None:
    instance = fake_evolution.add_instance()
    adapter = EvolutionAdapter(
        {"base_url": fake_evolution.base_url, "instance": INSTANCE},
        {"api_key": instance.token, "verify_token": "v"},
        http_client,
    )
    assert (await adapter.get_status()).status is ConnectionStatus.connected


async def test_download_media(adapter: EvolutionAdapter, fake_evolution: FakeEvolution) -> None:
    fake_evolution.add_instance()
    fake_evolution.media["3EB0MEDIA"] = (b"jpeg-bytes", "image/jpeg", "foto.jpg")
    media = await adapter.download_media(MediaDescriptor(provider_media_id="3EB0MEDIA"))
    assert (media.data, media.mime_type, media.filename) == (
        b"jpeg-bytes",
        "image/jpeg",
        "foto.jpg",
    )
    assert fake_evolution.last("/chat/getBase64FromMediaMessage/").json == {
        "message": {"key": {"id": "3EB0MEDIA"}},
        "convertToMp4": False,
    }


# --- instance control ----------------------------------------------------------------


async def test_start_creates_the_instance_with_our_webhook(
    adapter: EvolutionAdapter, fake_evolution: FakeEvolution
) -> None:
    state = await adapter.start_session(webhook_url="https://nexus.example/webhooks/evolution/k")
    assert state.status is ConnectionStatus.qr
    created = fake_evolution.last("/instance/create").json
    assert created["instanceName"] == INSTANCE and created["integration"] == "WHATSAPP-BAILEYS"
    webhook = created["webhook"]
    assert webhook["url"] == "https://nexus.example/webhooks/evolution/k"
    assert webhook["headers"] == {TOKEN_HEADER: WEBHOOK_TOKEN}
    assert {"MESSAGES_UPSERT", "MESSAGES_UPDATE", "CONNECTION_UPDATE", "QRCODE_UPDATED"} <= set(
        webhook["events"]
    )


async def test_start_existing_instance_sets_webhook_and_connects(
    adapter: EvolutionAdapter, fake_evolution: FakeEvolution
) -> None:
    instance = fake_evolution.add_instance(state="close")
    state = await adapter.start_session(webhook_url="https://nexus.example/hook")
    assert state.status is ConnectionStatus.qr
    assert instance.webhook["headers"] == {TOKEN_HEADER: WEBHOOK_TOKEN}
    qr = await adapter.get_qr()
    assert (
        qr is not None and qr.qr and (qr.image_data_url or "").startswith("data:image/png;base64,")
    )
    instance.state = "open"
    assert await adapter.get_qr() is None
    assert (await adapter.get_status()).status is ConnectionStatus.connected


async def test_logout_is_idempotent(
    adapter: EvolutionAdapter, fake_evolution: FakeEvolution
) -> None:
    fake_evolution.add_instance()
    await adapter.logout_session()
    await adapter.logout_session()  # already closed: 400, still done
    assert (await adapter.get_status()).status is ConnectionStatus.disconnected


async def test_set_webhook(adapter: EvolutionAdapter, fake_evolution: FakeEvolution) -> None:
    instance = fake_evolution.add_instance()
    await adapter.set_webhook("https://nexus.example/hook")
    assert instance.webhook["enabled"] is True and instance.webhook["byEvents"] is False
