"""Telegram Bot API adapter — providers.md §4.

Config: optional ``base_url`` (default ``https://api.telegram.org``). Secrets:
``bot_token``, and the webhook ``secret_token`` (``webhook_secret``, else
``verify_token``) that ``set_webhook`` registers and every delivery must carry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

from nexus.channels.base import ChannelAdapter
from nexus.channels.capabilities import MB, Capabilities, MediaLimit
from nexus.channels.errors import (
    AuthenticationFailed,
    ChannelConfigError,
    ChatMigrated,
    InvalidRequest,
    ProviderError,
    RateLimited,
    RecipientUnavailable,
    UnknownOutcome,
)
from nexus.channels.events import Event, MediaDescriptor
from nexus.channels.http import ProviderHttp, classify_status, response_json
from nexus.channels.outbound import (
    Button,
    DownloadedMedia,
    ListSection,
    MediaLink,
    MediaSource,
    SendResult,
    SessionState,
)
from nexus.channels.payload import non_empty, obj, opt_float, opt_int, opt_str
from nexus.channels.settings import optional, required, timeout, webhook_secret
from nexus.channels.signatures import require_token
from nexus.channels.telegram_webhooks import message_ref, parse_telegram_update
from nexus.models.connection import ChannelKind, ConnectionStatus
from nexus.models.message import MessageType

DEFAULT_BASE_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
MAX_CALLBACK_DATA = 64  # bytes
MAX_DOWNLOAD = 20 * MB  # getFile limit of the hosted Bot API
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# (method, file field) per kind.
_METHODS = {
    MessageType.image: ("sendPhoto", "photo"),
    MessageType.document: ("sendDocument", "document"),
    MessageType.voice: ("sendVoice", "voice"),
    MessageType.audio: ("sendAudio", "audio"),
    MessageType.video: ("sendVideo", "video"),
    MessageType.sticker: ("sendSticker", "sticker"),
}


def classify_telegram_error(response: httpx.Response) -> ProviderError:
    body = obj(response_json(response))
    code = opt_int(body.get("error_code")) or response.status_code
    description = opt_str(body.get("description")) or f"HTTP {response.status_code}"
    parameters = obj(body.get("parameters"))
    kwargs: dict[str, Any] = {
        "code": str(code),
        "http_status": response.status_code,
        "details": body,
    }
    if code == 429:
        return RateLimited(
            description, retry_after=opt_float(parameters.get("retry_after")), **kwargs
        )
    if (migrated := opt_str(parameters.get("migrate_to_chat_id"))) is not None:
        return ChatMigrated(description, new_chat_id=migrated, **kwargs)
    if code == 401:
        return AuthenticationFailed(description, **kwargs)
    lowered = description.lower()
    if code == 403 or (code == 400 and "chat not found" in lowered):
        # Blocked by the user, user deactivated, chat gone.
        return RecipientUnavailable(description, **kwargs)
    return classify_status(response, description, code=str(code), details=body)


class TelegramAdapter(ChannelAdapter):
    kind: ClassVar[ChannelKind] = ChannelKind.telegram
    capabilities: ClassVar[Capabilities] = Capabilities(
        interactive_buttons=True,  # inline keyboards
        interactive_list=True,
        max_buttons=100,
        typing=True,
        read_receipts=False,  # bots neither send nor receive read receipts
        templates=False,
        reactions=True,
        sessions=False,
        max_text_length=4096,
        max_caption_length=1024,
        # Upload limits (multipart): 10 MB photos, 50 MB the rest.
        media={
            MessageType.image: MediaLimit(10 * MB),
            MessageType.document: MediaLimit(50 * MB),
            MessageType.voice: MediaLimit(50 * MB),
            MessageType.audio: MediaLimit(50 * MB),
            MessageType.video: MediaLimit(50 * MB),
            MessageType.sticker: MediaLimit(50 * MB),
        },
    )

    def __init__(
        self, config: Mapping[str, Any], secrets: Mapping[str, str], http: httpx.AsyncClient
    ) -> None:
        provider = self.kind.value
        token = required(secrets, "bot_token", provider)
        self._secret = webhook_secret(secrets, provider)
        base = optional(config, "base_url", DEFAULT_BASE_URL).rstrip("/")
        self._file_base = f"{base}/file/bot{token}"
        self._http = ProviderHttp(
            http,
            provider=provider,
            base_url=f"{base}/bot{token}",
            classify=classify_telegram_error,
            timeout=timeout(config),
        )

    # --- inbound ---------------------------------------------------------------------

    def verify_webhook(
        self, headers: Mapping[str, str], raw_body: bytes, query: Mapping[str, str]
    ) -> None:
        require_token(headers, SECRET_HEADER, expected=self._secret)

    def parse_webhook(self, raw_body: bytes) -> list[Event]:
        return parse_telegram_update(raw_body)

    # --- outbound --------------------------------------------------------------------

    async def send_text(self, to: str, text: str, *, reply_to: str | None = None) -> SendResult:
        self._check_text(text)
        return await self._send_message(to, text, reply_to, markup=None)

    async def send_media(
        self,
        to: str,
        kind: MessageType,
        media: MediaSource,
        *,
        caption: str | None = None,
        reply_to: str | None = None,
    ) -> SendResult:
        self._check_media(kind, media, caption)
        method, field = _METHODS[kind]
        params: dict[str, Any] = {"chat_id": chat_id(to)}
        if caption and kind is not MessageType.sticker:
            params["caption"] = caption
        if reply_to:
            params["reply_parameters"] = _reply(reply_to)
        if isinstance(media, MediaLink):
            return await self._send(method, json={**params, field: media.url})
        # Multipart form fields are strings; nested objects travel as JSON text.
        form = {k: v if isinstance(v, str | int) else json.dumps(v) for k, v in params.items()}
        upload = (media.filename or field, media.data, media.mime_type)
        return await self._send(method, data=form, files={field: upload})

    async def send_reaction(
        self, to: str, message_id: str, emoji: str, *, from_me: bool = False
    ) -> None:
        await self._call(
            "setMessageReaction",
            idempotent=True,
            json={
                "chat_id": chat_id(to),
                "message_id": _message_id(message_id),
                "reaction": [{"type": "emoji", "emoji": emoji}] if emoji else [],
            },
        )

    async def send_typing(self, to: str, *, message_id: str | None = None) -> None:
        await self._call(
            "sendChatAction", idempotent=True, json={"chat_id": chat_id(to), "action": "typing"}
        )

    async def send_interactive_buttons(
        self,
        to: str,
        body: str,
        buttons: Sequence[Button],
        *,
        header: str | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
    ) -> SendResult:
        rows = [[_button(button.id, button.title)] for button in buttons]
        return await self._send_message(to, _compose(body, header, footer), reply_to, rows)

    async def send_interactive_list(
        self,
        to: str,
        body: str,
        button_label: str,
        sections: Sequence[ListSection],
        *,
        header: str | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
    ) -> SendResult:
        # An inline keyboard shows the rows directly; there is no "open list" button.
        rows = [
            [_button(row.id, f"{row.title} — {row.description}" if row.description else row.title)]
            for section in sections
            for row in section.rows
        ]
        return await self._send_message(to, _compose(body, header, footer), reply_to, rows)

    async def answer_interaction(self, interaction_id: str, text: str | None = None) -> None:
        body: dict[str, Any] = {"callback_query_id": interaction_id}
        if text:
            body["text"] = text
        await self._call("answerCallbackQuery", idempotent=True, json=body)

    async def download_media(self, media: MediaDescriptor) -> DownloadedMedia:
        if not media.provider_media_id:
            raise InvalidRequest("Telegram media needs its file_id")
        if media.size is not None and media.size > MAX_DOWNLOAD:
            raise InvalidRequest("Telegram bots cannot download files over 20 MB")
        info = obj(
            await self._call("getFile", idempotent=True, json={"file_id": media.provider_media_id})
        )
        path = non_empty(info.get("file_path"))
        if path is None:
            raise InvalidRequest("Telegram returned no file_path for this file")
        data, content_type = await self._http.download(
            f"{self._file_base}/{path}", max_bytes=MAX_DOWNLOAD
        )
        return DownloadedMedia(
            data=data,
            mime_type=media.mime_type or content_type or "application/octet-stream",
            filename=media.filename or path.rsplit("/", 1)[-1],
        )

    # --- webhook and health ----------------------------------------------------------

    async def set_webhook(self, url: str) -> None:
        if not _SECRET_TOKEN.fullmatch(self._secret):
            raise ChannelConfigError(
                "telegram: the webhook secret must be 1-256 of A-Z a-z 0-9 _ -"
            )
        await self._call(
            "setWebhook",
            idempotent=True,
            json={
                "url": url,
                "secret_token": self._secret,
                "allowed_updates": list(ALLOWED_UPDATES),
            },
        )

    async def get_status(self) -> SessionState:
        info = obj(await self._call("getWebhookInfo", idempotent=True))
        if not non_empty(info.get("url")):
            return SessionState(
                status=ConnectionStatus.disconnected,
                provider_state="no_webhook",
                reason="no webhook is set for this bot",
            )
        return SessionState(
            status=ConnectionStatus.connected,
            provider_state="webhook",
            # Telegram keeps the last delivery error; the bot still works.
            reason=non_empty(info.get("last_error_message")),
        )

    # --- plumbing --------------------------------------------------------------------

    async def _send_message(
        self, to: str, text: str, reply_to: str | None, markup: list[list[dict[str, str]]] | None
    ) -> SendResult:
        body: dict[str, Any] = {"chat_id": chat_id(to), "text": text}
        if reply_to:
            body["reply_parameters"] = _reply(reply_to)
        if markup:
            body["reply_markup"] = {"inline_keyboard": markup}
        return await self._send("sendMessage", json=body)

    async def _send(self, method: str, **kwargs: Any) -> SendResult:
        message = obj(await self._call(method, idempotent=False, **kwargs))
        reference = message_ref(obj(message.get("chat")).get("id"), message.get("message_id"))
        if reference is None:
            raise UnknownOutcome(f"Telegram {method} succeeded without returning the message")
        return SendResult(provider_message_id=reference, recipient_id=reference.split(":")[0])

    async def _call(self, method: str, *, idempotent: bool, **kwargs: Any) -> Any:
        answer = obj(
            await self._http.call_json("POST", f"/{method}", idempotent=idempotent, **kwargs)
        )
        if answer.get("ok") is not True:
            raise InvalidRequest(
                opt_str(answer.get("description")) or f"Telegram {method} failed",
                code=opt_str(answer.get("error_code")),
                details=answer,
            )
        return answer.get("result")


def chat_id(to: str) -> int | str:
    """Telegram chat ids are integers; ``@channelusername`` passes as text."""
    value = to.strip()
    if value.lstrip("-").isdigit():
        return int(value)
    if value.startswith("@"):
        return value
    raise InvalidRequest(f"not a Telegram chat id: {to!r}")


def _message_id(reference: str) -> int:
    """Our ``"<chat>:<message>"`` id (or a bare message id) → Telegram's message id."""
    tail = reference.rsplit(":", 1)[-1]
    if not tail.isdigit():
        raise InvalidRequest(f"not a Telegram message id: {reference!r}")
    return int(tail)


def _reply(reply_to: str) -> dict[str, Any]:
    # Still send when the quoted message was deleted meanwhile.
    return {"message_id": _message_id(reply_to), "allow_sending_without_reply": True}


def _button(data: str, text: str) -> dict[str, str]:
    if len(data.encode()) > MAX_CALLBACK_DATA:
        raise InvalidRequest(f"button id longer than {MAX_CALLBACK_DATA} bytes: {data!r}")
    return {"text": text, "callback_data": data}


def _compose(body: str, header: str | None, footer: str | None) -> str:
    return "\n\n".join(part for part in (header, body, footer) if part)
