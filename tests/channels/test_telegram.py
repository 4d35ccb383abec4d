"""Telegram Bot API: secret-token webhooks, update_id event ids, every message type, and
Bot API calls against the fake over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from nexus.channels import (
    AuthenticationFailed,
    Button,
    ChannelConfigError,
    ChatMigrated,
    InboundMessage,
    InvalidRequest,
    InvalidSignature,
    ListRow,
    ListSection,
    MalformedWebhook,
    MediaBytes,
    MediaDescriptor,
    MediaLink,
    MessageEdited,
    MissingSignature,
    NotSupported,
    RateLimited,
    RecipientUnavailable,
    UnknownOutcome,
)
from nexus.channels.telegram import TelegramAdapter
from nexus.models import ConnectionStatus, IdentityKind, MessageType
from tests.fakes.telegram import BOT_TOKEN, SECRET_TOKEN, FakeTelegram, TelegramUpdates

CHAT = "555000111"


@pytest.fixture
def adapter(fake_telegram: FakeTelegram, http_client: httpx.AsyncClient) -> TelegramAdapter:
    return TelegramAdapter(
        {"base_url": fake_telegram.base_url},
        {"bot_token": BOT_TOKEN, "webhook_secret": SECRET_TOKEN},
        http_client,
    )


@pytest.fixture
def updates() -> TelegramUpdates:
    return TelegramUpdates()


def parse(adapter: TelegramAdapter, updates: TelegramUpdates, update: dict[str, Any]) -> list[Any]:
    delivery = updates.delivery(update)
    adapter.verify_webhook(delivery.headers, delivery.body, {})
    return list(adapter.parse_webhook(delivery.body))


def test_secret_token(adapter: TelegramAdapter, updates: TelegramUpdates) -> None:
    delivery = updates.delivery(updates.text("oi"))
    adapter.verify_webhook(delivery.headers, delivery.body, {})
    with pytest.raises(InvalidSignature):
        wrong = updates.delivery(updates.text("oi"), secret="not-the-secret")
        adapter.verify_webhook(wrong.headers, wrong.body, {})
    with pytest.raises(MissingSignature):
        bare = delivery.without_header("X-Telegram-Bot-Api-Secret-Token")
        adapter.verify_webhook(bare.headers, bare.body, {})


def test_text_and_update_id(adapter: TelegramAdapter, updates: TelegramUpdates) -> None:
    update = updates.text("Olá", update_id=912345678)
    [event] = parse(adapter, updates, update)
    assert isinstance(event, InboundMessage)
    assert event.event_id == "update:912345678"
    assert event.provider_message_id == f"{CHAT}:{update['message']['message_id']}"
    assert event.chat_id == event.ordering_key == CHAT
    assert (event.type, event.text) == (MessageType.text, "Olá")
    assert event.sender.kind is IdentityKind.telegram
    assert (event.sender.external_id, event.sender.name, event.sender.username) == (
        CHAT,
        "Ana",
        "ana_s",
    )
    assert event.timestamp.timestamp() == 1760000000


def test_photo_takes_the_largest_size(adapter: TelegramAdapter, updates: TelegramUpdates) -> None:
    sizes = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90, "file_size": 1000},
        {
            "file_id": "large",
            "file_unique_id": "l",
            "width": 1280,
            "height": 1280,
            "file_size": 90000,
        },
    ]
    [event] = parse(
        adapter,
        updates,
        updates.message({"photo": sizes, "caption": "nota", "media_group_id": "album1"}),
    )
    assert (event.type, event.text) == (MessageType.image, "nota")
    assert (event.media.provider_media_id, event.media.size, event.media.mime_type) == (
        "large",
        90000,
        "image/jpeg",
    )
    assert event.extra["media_group_id"] == "album1"


@pytest.mark.parametrize(
    ("field", "content", "kind", "mime"),
    [
        (
            "document",
            {
                "file_id": "d",
                "file_unique_id": "u",
                "file_name": "boleto.pdf",
                "mime_type": "application/pdf",
                "file_size": 10,
            },
            MessageType.document,
            "application/pdf",
        ),
        (
            "voice",
            {"file_id": "v", "file_unique_id": "u", "duration": 3},
            MessageType.voice,
            "audio/ogg",
        ),
        (
            "audio",
            {"file_id": "a", "file_unique_id": "u", "duration": 3, "mime_type": "audio/mpeg"},
            MessageType.audio,
            "audio/mpeg",
        ),
        (
            "video",
            {
                "file_id": "vi",
                "file_unique_id": "u",
                "duration": 3,
                "mime_type": "video/mp4",
                "width": 1,
                "height": 1,
            },
            MessageType.video,
            "video/mp4",
        ),
        (
            "sticker",
            {
                "file_id": "st",
                "file_unique_id": "u",
                "is_animated": False,
                "is_video": False,
                "emoji": "😀",
            },
            MessageType.sticker,
            "image/webp",
        ),
    ],
)
def test_media_types(
    adapter: TelegramAdapter,
    updates: TelegramUpdates,
    field: str,
    content: dict[str, Any],
    kind: MessageType,
    mime: str,
) -> None:
    [event] = parse(adapter, updates, updates.message({field: content}))
    assert event.type is kind
    assert (event.media.provider_media_id, event.media.mime_type) == (content["file_id"], mime)
    assert event.media.filename == content.get("file_name")


def test_location_venue_and_contact(adapter: TelegramAdapter, updates: TelegramUpdates) -> None:
    [event] = parse(
        adapter, updates, updates.message({"location": {"latitude": -23.5, "longitude": -46.6}})
    )
    assert event.type is MessageType.location and event.location.longitude == -46.6
    venue = {"location": {"latitude": 1.0, "longitude": 2.0}, "title": "Loja", "address": "Rua A"}
    [event] = parse(
        adapter, updates, updates.message({"venue": venue, "location": venue["location"]})
    )
    assert (event.location.name, event.location.address) == ("Loja", "Rua A")
    contact = {"phone_number": "5511977776666", "first_name": "Bruno", "user_id": 777}
    [event] = parse(adapter, updates, updates.message({"contact": contact}))
    assert event.type is MessageType.contacts
    assert (event.contacts[0].name, event.contacts[0].phones[0].e164) == ("Bruno", "+5511977776666")
    local = {"phone_number": "97777-6666", "first_name": "Sem DDI"}
    [event] = parse(adapter, updates, updates.message({"contact": local}))
    assert event.contacts[0].phones[0].e164 is None


def test_reply_and_group(adapter: TelegramAdapter, updates: TelegramUpdates) -> None:
    group = {"id": -1001234567890, "type": "supergroup", "title": "Clientes VIP"}
    update = updates.message(
        {"text": "bom dia", "reply_to_message": {"message_id": 4000, "date": 1, "chat": group}},
        chat=group,
    )
    [event] = parse(adapter, updates, update)
    assert event.chat_id == "-1001234567890"
    assert event.reply_to == "-1001234567890:4000"
    assert event.group.external_id == "-1001234567890" and event.group.name == "Clientes VIP"
    assert event.sender.external_id == CHAT  # the member who wrote
    assert event.contact == event.group


def test_callback_query_is_the_chosen_button(
    adapter: TelegramAdapter, updates: TelegramUpdates
) -> None:
    keyboard = {
        "inline_keyboard": [
            [{"text": "Financeiro", "callback_data": "dept_billing"}],
            [{"text": "Suporte", "callback_data": "dept_support"}],
        ]
    }
    ours = {
        "message_id": 5001,
        "date": 1,
        "chat": {"id": int(CHAT), "type": "private"},
        "text": "Setor?",
        "reply_markup": keyboard,
    }
    [event] = parse(adapter, updates, updates.callback("dept_support", message=ours))
    assert event.type is MessageType.interactive
    assert (event.interactive_reply.id, event.interactive_reply.title, event.text) == (
        "dept_support",
        "Suporte",
        "Suporte",
    )
    assert event.interactive_reply.interaction_id == "4382bfdwdsb323b2d9"
    assert event.reply_to == f"{CHAT}:5001"
    assert event.provider_message_id == "callback:4382bfdwdsb323b2d9"


def test_edited_message(adapter: TelegramAdapter, updates: TelegramUpdates) -> None:
    update = updates.text("corrigido")
    update["edited_message"] = {**update.pop("message"), "edit_date": 1760000100}
    [event] = parse(adapter, updates, update)
    assert isinstance(event, MessageEdited)
    assert event.target_message_id.startswith(f"{CHAT}:") and event.text == "corrigido"
    assert event.event_id == f"update:{update['update_id']}"


def test_skipped_and_malformed(adapter: TelegramAdapter, updates: TelegramUpdates) -> None:
    channel_post = {
        "update_id": 1,
        "channel_post": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": -100, "type": "channel"},
            "text": "x",
        },
    }
    assert parse(adapter, updates, channel_post) == []
    blocked = {
        "update_id": 2,
        "my_chat_member": {"chat": {"id": 1}, "new_chat_member": {"status": "kicked"}},
    }
    assert parse(adapter, updates, blocked) == []
    with pytest.raises(MalformedWebhook):
        adapter.parse_webhook(json.dumps({"message": {}}).encode())
    with pytest.raises(MalformedWebhook):
        adapter.parse_webhook(b"[1, 2]")


# --- Bot API calls -------------------------------------------------------------------


async def test_send_text(adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    result = await adapter.send_text(CHAT, "Olá!", reply_to=f"{CHAT}:4021")
    request = fake_telegram.last("/sendMessage")
    assert request.path == f"/bot{BOT_TOKEN}/sendMessage"
    assert request.json == {
        "chat_id": 555000111,
        "text": "Olá!",
        "reply_parameters": {"message_id": 4021, "allow_sending_without_reply": True},
    }
    message_id = fake_telegram.sent[-1]["message_id"]
    assert result.provider_message_id == f"{CHAT}:{message_id}"


async def test_send_photo_by_url_and_document_upload(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    await adapter.send_media(
        CHAT, MessageType.image, MediaLink("https://files.example.com/p.jpg"), caption="foto"
    )
    assert fake_telegram.last("/sendPhoto").json == {
        "chat_id": 555000111,
        "caption": "foto",
        "photo": "https://files.example.com/p.jpg",
    }
    await adapter.send_media(
        CHAT,
        MessageType.document,
        MediaBytes(b"%PDF", "application/pdf", "boleto.pdf"),
        caption="Boleto",
        reply_to=f"{CHAT}:7",
    )
    upload = fake_telegram.last("/sendDocument")
    assert upload.form == {
        "chat_id": CHAT,
        "caption": "Boleto",
        "reply_parameters": json.dumps({"message_id": 7, "allow_sending_without_reply": True}),
    }
    assert (upload.files["document"].filename, upload.files["document"].data) == (
        "boleto.pdf",
        b"%PDF",
    )
    await adapter.send_media(CHAT, MessageType.voice, MediaBytes(b"OggS", "audio/ogg"))
    assert "voice" in fake_telegram.last("/sendVoice").files


async def test_typing_reaction_and_callback_answer(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    await adapter.send_typing(CHAT)
    assert fake_telegram.last("/sendChatAction").json == {"chat_id": 555000111, "action": "typing"}
    await adapter.send_reaction(CHAT, f"{CHAT}:4021", "👍")
    assert fake_telegram.last("/setMessageReaction").json == {
        "chat_id": 555000111,
        "message_id": 4021,
        "reaction": [{"type": "emoji", "emoji": "👍"}],
    }
    await adapter.answer_interaction("4382bfdwdsb323b2d9")
    assert fake_telegram.last("/answerCallbackQuery").json == {
        "callback_query_id": "4382bfdwdsb323b2d9"
    }
    with pytest.raises(NotSupported):
        await adapter.mark_read(CHAT, [f"{CHAT}:1"])


async def test_inline_keyboards(adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    await adapter.send_interactive_buttons(
        CHAT, "Escolha", [Button("talk_to_agent", "Atendente"), Button("track", "Rastrear")]
    )
    assert fake_telegram.last("/sendMessage").json["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Atendente", "callback_data": "talk_to_agent"}],
            [{"text": "Rastrear", "callback_data": "track"}],
        ]
    }
    sections = [
        ListSection(
            "Setores",
            [ListRow("dept_billing", "Financeiro", "Boletos"), ListRow("dept_support", "Suporte")],
        )
    ]
    await adapter.send_interactive_list(
        CHAT, "Para qual setor?", "Ver", sections, header="Departamentos"
    )
    sent = fake_telegram.last("/sendMessage").json
    assert sent["text"] == "Departamentos\n\nPara qual setor?"
    assert sent["reply_markup"]["inline_keyboard"][0] == [
        {"text": "Financeiro — Boletos", "callback_data": "dept_billing"}
    ]
    with pytest.raises(InvalidRequest):
        await adapter.send_interactive_buttons(CHAT, "x", [Button("x" * 65, "long id")])


async def test_errors(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, http_client: httpx.AsyncClient
) -> None:
    fake_telegram.rate_limit_next(retry_after=7)
    with pytest.raises(RateLimited) as limited:
        await adapter.send_text(CHAT, "oi")
    assert limited.value.retry_after == 7
    fake_telegram.blocked.add(555000111)
    with pytest.raises(RecipientUnavailable):
        await adapter.send_text(CHAT, "oi")
    fake_telegram.migrated[-42] = -1001234
    with pytest.raises(ChatMigrated) as migrated:
        await adapter.send_text("-42", "oi")
    assert migrated.value.new_chat_id == "-1001234"
    fake_telegram.drop_next(path="/sendMessage")
    with pytest.raises(UnknownOutcome):
        await adapter.send_text("1", "oi")
    wrong = TelegramAdapter(
        {"base_url": fake_telegram.base_url},
        {"bot_token": "1:wrong", "verify_token": "v"},
        http_client,
    )
    with pytest.raises(AuthenticationFailed):
        await wrong.send_text(CHAT, "oi")
    with pytest.raises(InvalidRequest):
        await adapter.send_text("not-a-chat", "oi")


async def test_download_media_with_get_file(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    file_id = fake_telegram.add_file(b"jpeg-bytes", "photos/file_12.jpg")
    media = await adapter.download_media(
        MediaDescriptor(provider_media_id=file_id, mime_type="image/jpeg")
    )
    assert (media.data, media.mime_type, media.filename) == (
        b"jpeg-bytes",
        "image/jpeg",
        "file_12.jpg",
    )
    assert fake_telegram.last("/file/").path == f"/file/bot{BOT_TOKEN}/photos/file_12.jpg"
    with pytest.raises(InvalidRequest):
        await adapter.download_media(MediaDescriptor(provider_media_id=file_id, size=21 * 2**20))


async def test_set_webhook_and_status(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, http_client: httpx.AsyncClient
) -> None:
    assert (await adapter.get_status()).status is ConnectionStatus.disconnected
    await adapter.set_webhook("https://nexus.example/webhooks/telegram/k")
    assert fake_telegram.webhook == {
        "url": "https://nexus.example/webhooks/telegram/k",
        "secret_token": SECRET_TOKEN,
        "allowed_updates": ["message", "edited_message", "callback_query", "my_chat_member"],
    }
    fake_telegram.webhook["last_error_message"] = "Connection refused"
    status = await adapter.get_status()
    assert (status.status, status.reason) == (ConnectionStatus.connected, "Connection refused")
    bad = TelegramAdapter(
        {"base_url": fake_telegram.base_url},
        {"bot_token": BOT_TOKEN, "webhook_secret": "has spaces!"},
        http_client,
    )
    with pytest.raises(ChannelConfigError):
        await bad.set_webhook("https://nexus.example/x")
