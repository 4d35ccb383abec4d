"""WAHA (WhatsApp HTTP API) adapter — providers.md §2.

Config: ``base_url``, ``session``. Secrets: ``api_key`` (``X-Api-Key``), and the webhook
HMAC key (``webhook_secret``, else ``verify_token``), which ``set_webhook`` and
``start_session`` configure in WAHA so that every delivery is signed with it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import httpx

from nexus.channels import jids
from nexus.channels.base import ChannelAdapter
from nexus.channels.capabilities import MB, Capabilities, MediaLimit
from nexus.channels.errors import (
    InvalidRequest,
    InvalidSignature,
    PermanentError,
    ProviderError,
    SessionUnavailable,
    UnknownOutcome,
)
from nexus.channels.events import CustomerTyping, Event, MediaDescriptor, Party
from nexus.channels.http import ProviderHttp, classify_status, response_json
from nexus.channels.mediatypes import mime_of
from nexus.channels.outbound import (
    DownloadedMedia,
    MediaBytes,
    MediaSource,
    QrCode,
    SendResult,
    SessionState,
)
from nexus.channels.payload import non_empty, obj, objs, opt_str
from nexus.channels.phones import to_e164, wa_digits
from nexus.channels.settings import required, timeout, webhook_secret
from nexus.channels.signatures import header, require_hmac
from nexus.channels.waha_webhooks import SESSION_STATUSES, parse_waha_typing, parse_waha_webhook
from nexus.models.connection import ChannelKind, ConnectionStatus
from nexus.models.message import MessageType

HMAC_HEADER = "X-Webhook-Hmac"
WEBHOOK_EVENTS = (
    "message.any",  # incoming and our own (phone-typed) messages; "message" is a subset
    "message.ack",
    "message.reaction",
    "message.revoked",
    "message.edited",
    "session.status",
    "presence.update",  # the customer's typing, relayed and never stored
)
# WhatsApp Web's own limits; WAHA documents none of its own [UNVERIFIED beyond the app's].
_MEDIA = MediaLimit(16 * MB)
_ENDPOINTS = {
    MessageType.image: "/api/sendImage",
    MessageType.video: "/api/sendVideo",
    MessageType.voice: "/api/sendVoice",
    MessageType.audio: "/api/sendFile",  # a music file travels as a file, untouched
    MessageType.document: "/api/sendFile",
}


def classify_waha_error(response: httpx.Response) -> ProviderError:
    body = obj(response_json(response))
    error = body.get("error")
    message = (
        opt_str(body.get("message"))
        or (opt_str(error) if not isinstance(error, dict) else opt_str(error.get("message")))
        or f"HTTP {response.status_code}"
    )
    if response.status_code == 422 and "expected" in body:
        # Sending or reading a QR while the session is in another state: it may recover.
        return SessionUnavailable(
            f"WAHA session is {body.get('status')}: {message}",
            code=opt_str(body.get("status")),
            http_status=422,
            details=body,
        )
    if response.status_code == 422:
        return PermanentError(message, http_status=422, details=body)
    return classify_status(response, message, details=body or None)


class WahaAdapter(ChannelAdapter):
    kind: ClassVar[ChannelKind] = ChannelKind.waha
    capabilities: ClassVar[Capabilities] = Capabilities(
        interactive_buttons=False,  # buttons are deprecated on unofficial clients
        interactive_list=False,
        max_buttons=0,
        typing=True,
        read_receipts=True,
        templates=False,
        reactions=True,
        sessions=True,
        max_text_length=65536,
        max_caption_length=1024,
        media={
            MessageType.image: _MEDIA,
            MessageType.video: _MEDIA,
            MessageType.audio: _MEDIA,
            MessageType.voice: _MEDIA,
            MessageType.document: MediaLimit(100 * MB),
        },
    )

    def __init__(
        self, config: Mapping[str, Any], secrets: Mapping[str, str], http: httpx.AsyncClient
    ) -> None:
        provider = self.kind.value
        self.session = required(config, "session", provider)
        self._hmac_key = webhook_secret(secrets, provider)
        self._http = ProviderHttp(
            http,
            provider=provider,
            base_url=required(config, "base_url", provider),
            classify=classify_waha_error,
            headers={"X-Api-Key": required(secrets, "api_key", provider)},
            timeout=timeout(config),
        )

    # --- inbound ---------------------------------------------------------------------

    def verify_webhook(
        self, headers: Mapping[str, str], raw_body: bytes, query: Mapping[str, str]
    ) -> None:
        algorithm = header(headers, "X-Webhook-Hmac-Algorithm")
        if algorithm is not None and algorithm.lower() != "sha512":
            raise InvalidSignature(f"unexpected HMAC algorithm {algorithm!r}")
        require_hmac(headers, HMAC_HEADER, key=self._hmac_key, body=raw_body, algorithm="sha512")

    def parse_webhook(self, raw_body: bytes) -> list[Event]:
        return parse_waha_webhook(raw_body)

    def parse_typing(self, raw_body: bytes) -> list[CustomerTyping]:
        return parse_waha_typing(raw_body)

    # --- outbound --------------------------------------------------------------------

    async def send_text(self, to: str, text: str, *, reply_to: str | None = None) -> SendResult:
        self._check_text(text)
        return await self._send("/api/sendText", to, {"text": text}, reply_to)

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
        mime = mime_of(media)
        file: dict[str, Any] = {"mimetype": mime}
        if media.filename:
            file["filename"] = media.filename
        if isinstance(media, MediaBytes):
            file["data"] = base64.b64encode(media.data).decode()
        else:
            file["url"] = media.url
        body: dict[str, Any] = {"file": file}
        base = mime.split(";", 1)[0].strip().lower()
        if kind is MessageType.voice:
            body["convert"] = base != "audio/ogg"  # WAHA turns anything else into opus
        elif kind is MessageType.video:
            body["convert"] = base != "video/mp4"
        if caption and kind in (MessageType.image, MessageType.video, MessageType.document):
            body["caption"] = caption
        return await self._send(_ENDPOINTS[kind], to, body, reply_to)

    async def send_reaction(
        self, to: str, message_id: str, emoji: str, *, from_me: bool = False
    ) -> None:
        await self._http.call(
            "PUT",
            "/api/reaction",
            idempotent=True,  # setting the same reaction twice leaves one reaction
            json={"session": self.session, "messageId": message_id, "reaction": emoji},
        )

    async def mark_read(self, to: str, message_ids: Sequence[str]) -> None:
        body: dict[str, Any] = {"session": self.session, "chatId": chat_id(to)}
        if message_ids:
            body["messageIds"] = list(message_ids)
            # Group message ids end with the participant, which sendSeen wants separately.
            parts = message_ids[-1].split("_")
            if len(parts) >= 4:
                body["participant"] = parts[3]
        await self._http.call("POST", "/api/sendSeen", idempotent=True, json=body)

    async def send_typing(self, to: str, *, message_id: str | None = None) -> None:
        await self._http.call(
            "POST",
            "/api/startTyping",
            idempotent=True,
            json={"session": self.session, "chatId": chat_id(to)},
        )

    async def download_media(self, media: MediaDescriptor) -> DownloadedMedia:
        if not media.url:
            raise InvalidRequest("WAHA did not store this file (no media URL)")
        url, own = _file_location(media.url)
        data, content_type = await self._http.download(url, max_bytes=100 * MB, authenticated=own)
        return DownloadedMedia(
            data=data,
            mime_type=media.mime_type or content_type or "application/octet-stream",
            filename=media.filename,
        )

    # --- session ---------------------------------------------------------------------

    async def start_session(self, *, webhook_url: str | None = None) -> SessionState:
        path = f"/api/sessions/{quote(self.session, safe='')}"
        try:
            if webhook_url:
                await self.set_webhook(webhook_url)
            answer = await self._http.call_json("POST", f"{path}/start", idempotent=True)
        except ProviderError as exc:
            if exc.http_status != 404:
                raise
            config = {"webhooks": [self._webhook(webhook_url)]} if webhook_url else {}
            answer = await self._http.call_json(
                "POST",
                "/api/sessions",
                idempotent=False,
                json={"name": self.session, "start": True, "config": config},
            )
        return self._state(obj(answer))

    async def stop_session(self) -> None:
        await self._session_call("stop")

    async def logout_session(self) -> None:
        await self._session_call("logout")

    async def get_status(self) -> SessionState:
        answer = await self._http.call_json(
            "GET", f"/api/sessions/{quote(self.session, safe='')}", idempotent=True
        )
        return self._state(obj(answer))

    async def get_qr(self) -> QrCode | None:
        path = f"/api/{quote(self.session, safe='')}/auth/qr"
        try:
            raw = obj(
                await self._http.call_json("GET", path, idempotent=True, params={"format": "raw"})
            )
            image = obj(
                await self._http.call_json(
                    "GET",
                    path,
                    idempotent=True,
                    params={"format": "image"},
                    headers={"Accept": "application/json"},
                )
            )
        except SessionUnavailable:
            return None  # not waiting for a scan (already connected, or starting)
        data, mimetype = non_empty(image.get("data")), non_empty(image.get("mimetype"))
        return QrCode(
            qr=non_empty(raw.get("value")),
            image_data_url=f"data:{mimetype or 'image/png'};base64,{data}" if data else None,
        )

    async def set_webhook(self, url: str) -> None:
        """Point the session's webhook at ``url``, signed with our HMAC key, keeping the
        rest of the session's config (PUT replaces the whole config)."""
        path = f"/api/sessions/{quote(self.session, safe='')}"
        current = obj(await self._http.call_json("GET", path, idempotent=True))
        config = dict(obj(current.get("config")))
        others = [w for w in config.get("webhooks") or [] if obj(w).get("url") != url]
        config["webhooks"] = [*others, self._webhook(url)]
        await self._http.call("PUT", path, idempotent=True, json={"config": config})

    async def list_contacts(self) -> list[Party]:
        answer = await self._http.call_json(
            "GET", "/api/contacts/all", idempotent=True, params={"session": self.session}
        )
        parties = []
        for item in objs(answer):
            if item.get("isMe") is True or item.get("isGroup") is True:
                continue
            name = non_empty(item.get("name")) or non_empty(item.get("pushname"))
            party = jids.person(non_empty(item.get("id")), name=name)
            if party is not None:
                parties.append(party)
        return parties

    async def list_groups(self) -> list[Party]:
        answer = await self._http.call_json(
            "GET", f"/api/{quote(self.session, safe='')}/groups", idempotent=True
        )
        # WEBJS answers a list of chats with ``id._serialized``; NOWEB a map keyed by jid;
        # GOWS a list of ``{JID, Name}``.
        items = objs(list(answer.values()) if isinstance(answer, dict) else answer)
        parties = []
        for item in items:
            jid = _message_id(item.get("id")) or non_empty(item.get("JID"))
            name = next(
                filter(None, (non_empty(item.get(k)) for k in ("name", "subject", "Name"))), None
            )
            party = jids.group(jid, name=name)
            if party is not None:
                parties.append(party)
        return parties

    async def resolve_lid(self, lid: str) -> str | None:
        target = lid if lid.endswith("@lid") else f"{lid}@lid"
        try:
            answer = obj(
                await self._http.call_json(
                    "GET",
                    f"/api/{quote(self.session, safe='')}/lids/{quote(target, safe='@')}",
                    idempotent=True,
                )
            )
        except ProviderError as exc:
            if exc.http_status == 404:
                return None
            raise
        return to_e164(non_empty(answer.get("pn")))

    # --- plumbing --------------------------------------------------------------------

    async def _send(
        self, path: str, to: str, body: dict[str, Any], reply_to: str | None
    ) -> SendResult:
        payload = {"session": self.session, "chatId": chat_id(to), **body}
        if reply_to:
            payload["reply_to"] = reply_to
        answer = obj(await self._http.call_json("POST", path, idempotent=False, json=payload))
        message_id = _message_id(answer.get("id"))
        if message_id is None:
            raise UnknownOutcome("WAHA accepted the message without returning its id")
        return SendResult(provider_message_id=message_id, recipient_id=payload["chatId"])

    async def _session_call(self, action: str) -> None:
        await self._http.call(
            "POST", f"/api/sessions/{quote(self.session, safe='')}/{action}", idempotent=True
        )

    def _webhook(self, url: str) -> dict[str, Any]:
        return {
            "url": url,
            "events": list(WEBHOOK_EVENTS),
            "hmac": {"key": self._hmac_key},
            "retries": {"policy": "exponential", "delaySeconds": 2, "attempts": 10},
        }

    def _state(self, session: dict[str, Any]) -> SessionState:
        state = non_empty(session.get("status")) or "UNKNOWN"
        me = obj(session.get("me"))
        return SessionState(
            status=SESSION_STATUSES.get(state, ConnectionStatus.failed),
            provider_state=state,
            reason=None if state in SESSION_STATUSES else f"unknown WAHA status {state}",
            phone=to_e164(non_empty(me.get("id"))),
        )


def chat_id(to: str) -> str:
    """A WAHA chat id: a jid passes through (``@s.whatsapp.net`` becomes ``@c.us``), a
    phone number becomes ``<digits>@c.us``."""
    jid = jids.parse_jid(to)
    if jid is None:
        digits = wa_digits(to)
        if not digits:
            raise InvalidRequest(f"not a WhatsApp recipient: {to!r}")
        return f"{digits}@c.us"
    server = "c.us" if jid.server == "s.whatsapp.net" else jid.server
    return f"{jid.user}@{server}"


def _file_location(url: str) -> tuple[str, bool]:
    """WAHA's own files need the API key and are fetched through the configured base URL
    (WAHA may advertise another host name); other URLs (S3) get no key."""
    parts = urlsplit(url)
    if parts.path.startswith("/api/files/"):
        return parts.path + (f"?{parts.query}" if parts.query else ""), True
    return url, False


def _message_id(value: Any) -> str | None:
    # WEBJS answers the id as an object; other engines as the serialized string.
    if isinstance(value, dict):
        return non_empty(value.get("_serialized"))
    return non_empty(value)
