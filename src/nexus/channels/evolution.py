"""Evolution API v2 adapter — providers.md §3.

Config: ``base_url``, ``instance``. Secrets: ``api_key`` (``apikey`` header; the global
key, needed to create the instance, or the instance token), and the webhook secret
(``webhook_secret``, else ``verify_token``). Evolution does not sign its webhooks, so we
configure it to send that secret in a header and check it on every delivery.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from nexus.channels import jids
from nexus.channels.base import ChannelAdapter
from nexus.channels.capabilities import MB, Capabilities, MediaLimit
from nexus.channels.errors import (
    InvalidRequest,
    NotSupported,
    ProviderError,
    RecipientUnavailable,
    TransientError,
    UnknownOutcome,
)
from nexus.channels.events import CustomerTyping, Event, MediaDescriptor, Party
from nexus.channels.evolution_webhooks import (
    connection_status,
    parse_evolution_typing,
    parse_evolution_webhook,
)
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
from nexus.channels.payload import non_empty, obj, objs, opt_int
from nexus.channels.phones import wa_digits
from nexus.channels.settings import optional, required, timeout, webhook_secret
from nexus.channels.signatures import require_token
from nexus.models.connection import ChannelKind, ConnectionStatus
from nexus.models.message import MessageType

TOKEN_HEADER = "X-Webhook-Token"
WEBHOOK_EVENTS = (
    "MESSAGES_UPSERT",
    "MESSAGES_UPDATE",
    "MESSAGES_DELETE",
    "MESSAGES_EDITED",
    "SEND_MESSAGE",
    "CONNECTION_UPDATE",
    "QRCODE_UPDATED",
    "PRESENCE_UPDATE",  # the customer's typing, relayed and never stored
)
_MEDIA = MediaLimit(16 * MB)  # WhatsApp Web's limits; Evolution documents none [UNVERIFIED]
_MEDIATYPE = {
    MessageType.image: "image",
    MessageType.video: "video",
    MessageType.audio: "audio",
    MessageType.document: "document",
}


def classify_evolution_error(response: httpx.Response) -> ProviderError:
    body = obj(response_json(response))
    detail = obj(body.get("response")).get("message", body.get("message"))
    message = (
        json.dumps(detail, ensure_ascii=False)
        if isinstance(detail, list | dict)
        else str(detail or body.get("error") or f"HTTP {response.status_code}")
    )
    items = detail if isinstance(detail, list) else []
    if any(isinstance(item, dict) and item.get("exists") is False for item in items):
        return RecipientUnavailable(
            f"not on WhatsApp: {message}", http_status=response.status_code, details=body
        )
    return classify_status(response, message, details=body or None)


class EvolutionAdapter(ChannelAdapter):
    kind: ClassVar[ChannelKind] = ChannelKind.evolution
    capabilities: ClassVar[Capabilities] = Capabilities(
        interactive_buttons=False,  # Baileys buttons/lists do not reach most phones
        interactive_list=False,
        max_buttons=0,
        typing=True,
        read_receipts=True,
        templates=False,  # only with the WHATSAPP-BUSINESS integration, not ours
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
            MessageType.sticker: MediaLimit(1 * MB, frozenset({"image/webp"})),
        },
    )

    def __init__(
        self, config: Mapping[str, Any], secrets: Mapping[str, str], http: httpx.AsyncClient
    ) -> None:
        provider = self.kind.value
        self.instance = required(config, "instance", provider)
        self._token = webhook_secret(secrets, provider)
        # How long "typing…" shows before Evolution answers sendPresence.
        self._typing_ms = int(optional(config, "typing_ms", "3000"))
        self._http = ProviderHttp(
            http,
            provider=provider,
            base_url=required(config, "base_url", provider),
            classify=classify_evolution_error,
            headers={"apikey": required(secrets, "api_key", provider)},
            timeout=timeout(config),
        )

    @property
    def _name(self) -> str:
        return quote(self.instance, safe="")

    # --- inbound ---------------------------------------------------------------------

    def verify_webhook(
        self, headers: Mapping[str, str], raw_body: bytes, query: Mapping[str, str]
    ) -> None:
        require_token(headers, TOKEN_HEADER, expected=self._token)

    def parse_webhook(self, raw_body: bytes) -> list[Event]:
        return parse_evolution_webhook(raw_body)

    def parse_typing(self, raw_body: bytes) -> list[CustomerTyping]:
        return parse_evolution_typing(raw_body)

    # --- outbound --------------------------------------------------------------------

    async def send_text(self, to: str, text: str, *, reply_to: str | None = None) -> SendResult:
        self._check_text(text)
        return await self._send("sendText", to, {"text": text}, reply_to)

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
        # Evolution takes a URL or bare base64 in the same field.
        content = (
            base64.b64encode(media.data).decode() if isinstance(media, MediaBytes) else media.url
        )
        if kind is MessageType.voice:
            return await self._send("sendWhatsAppAudio", to, {"audio": content}, reply_to)
        if kind is MessageType.sticker:
            return await self._send("sendSticker", to, {"sticker": content}, reply_to)
        body: dict[str, Any] = {
            "mediatype": _MEDIATYPE[kind],
            "mimetype": mime_of(media),
            "media": content,
        }
        if caption:
            body["caption"] = caption
        if media.filename:
            body["fileName"] = media.filename
        return await self._send("sendMedia", to, body, reply_to)

    async def send_reaction(
        self, to: str, message_id: str, emoji: str, *, from_me: bool = False
    ) -> SendResult:
        key = {"remoteJid": remote_jid(to), "fromMe": from_me, "id": message_id}
        answer = await self._http.call_json(
            "POST",
            f"/message/sendReaction/{self._name}",
            idempotent=False,
            json={"key": key, "reaction": emoji},
        )
        return _result(obj(answer))

    async def mark_read(self, to: str, message_ids: Sequence[str]) -> None:
        if not message_ids:
            return
        jid = remote_jid(to)
        await self._http.call(
            "POST",
            f"/chat/markMessageAsRead/{self._name}",
            idempotent=True,
            json={
                "readMessages": [
                    {"remoteJid": jid, "fromMe": False, "id": message_id}
                    for message_id in message_ids
                ]
            },
        )

    async def send_typing(self, to: str, *, message_id: str | None = None) -> None:
        await self._http.call(
            "POST",
            f"/chat/sendPresence/{self._name}",
            idempotent=True,
            json={"number": number(to), "presence": "composing", "delay": self._typing_ms},
        )

    async def download_media(self, media: MediaDescriptor) -> DownloadedMedia:
        if not media.provider_media_id:
            raise InvalidRequest("Evolution media needs the message id to be fetched")
        answer = obj(
            await self._http.call_json(
                "POST",
                f"/chat/getBase64FromMediaMessage/{self._name}",
                idempotent=True,
                json={"message": {"key": {"id": media.provider_media_id}}, "convertToMp4": False},
            )
        )
        try:
            data = base64.b64decode(non_empty(answer.get("base64")) or "", validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidRequest("Evolution returned media that is not base64") from exc
        if not data:
            raise InvalidRequest("Evolution returned no media")
        return DownloadedMedia(
            data=data,
            mime_type=non_empty(answer.get("mimetype"))
            or media.mime_type
            or "application/octet-stream",
            filename=non_empty(answer.get("fileName")) or media.filename,
        )

    # --- session ---------------------------------------------------------------------

    async def start_session(self, *, webhook_url: str | None = None) -> SessionState:
        try:
            await self.get_status()
        except ProviderError as exc:
            if exc.http_status != 404:
                raise
            return await self._create(webhook_url)
        if webhook_url:
            await self.set_webhook(webhook_url)
        return _connect_state(await self._connect())

    async def stop_session(self) -> None:
        raise NotSupported(
            "Evolution API cannot stop an instance without logging it out; use logout"
        )

    async def logout_session(self) -> None:
        try:
            await self._http.call("DELETE", f"/instance/logout/{self._name}", idempotent=True)
        except ProviderError as exc:
            # 400 when the instance is already closed: the goal is reached.
            if exc.http_status != 400:
                raise

    async def get_status(self) -> SessionState:
        answer = obj(
            await self._http.call_json(
                "GET", f"/instance/connectionState/{self._name}", idempotent=True
            )
        )
        state = non_empty(obj(answer.get("instance")).get("state")) or "unknown"
        status, reason = connection_status(state, None)
        return SessionState(status=status, provider_state=state, reason=reason)

    async def get_qr(self) -> QrCode | None:
        """Asks Evolution to connect, which (re)starts pairing when the instance is closed."""
        return _qr(await self._connect())

    async def set_webhook(self, url: str) -> None:
        await self._http.call(
            "POST",
            f"/webhook/set/{self._name}",
            idempotent=True,
            json={"webhook": self._webhook(url)},
        )

    async def list_contacts(self) -> list[Party]:
        answer = await self._http.call_json(
            "POST", f"/chat/findContacts/{self._name}", idempotent=True, json={"where": {}}
        )
        parties = []
        for item in objs(answer):
            party = jids.person(
                non_empty(item.get("remoteJid")), name=non_empty(item.get("pushName"))
            )
            if party is not None:  # groups come from list_groups, with their subject
                parties.append(party)
        return parties

    async def list_groups(self) -> list[Party]:
        answer = await self._http.call_json(
            "GET",
            f"/group/fetchAllGroups/{self._name}",
            idempotent=True,
            params={"getParticipants": "false"},
        )
        parties = []
        for item in objs(answer):
            party = jids.group(non_empty(item.get("id")), name=non_empty(item.get("subject")))
            if party is not None:
                parties.append(party)
        return parties

    # --- plumbing --------------------------------------------------------------------

    async def _connect(self) -> dict[str, Any]:
        answer = obj(
            await self._http.call_json("GET", f"/instance/connect/{self._name}", idempotent=True)
        )
        if answer.get("error") is True:
            # Some controller failures are answered 200 {"error": true, "message": …}.
            raise TransientError(f"Evolution connect failed: {answer.get('message')}")
        return answer

    async def _create(self, webhook_url: str | None) -> SessionState:
        body: dict[str, Any] = {
            "instanceName": self.instance,
            "integration": "WHATSAPP-BAILEYS",
            "qrcode": True,
        }
        if webhook_url:
            body["webhook"] = self._webhook(webhook_url)
        answer = obj(
            await self._http.call_json("POST", "/instance/create", idempotent=False, json=body)
        )
        qr = obj(answer.get("qrcode"))
        if qr.get("code") or qr.get("base64"):
            return SessionState(status=ConnectionStatus.qr, provider_state="connecting")
        state = non_empty(obj(answer.get("instance")).get("status")) or "connecting"
        status, reason = connection_status(state, None)
        return SessionState(status=status, provider_state=state, reason=reason)

    def _webhook(self, url: str) -> dict[str, Any]:
        return {
            "enabled": True,
            "url": url,
            "headers": {TOKEN_HEADER: self._token},
            "byEvents": False,
            "base64": False,
            "events": list(WEBHOOK_EVENTS),
        }

    async def _send(
        self, operation: str, to: str, body: dict[str, Any], reply_to: str | None
    ) -> SendResult:
        payload: dict[str, Any] = {"number": number(to), **body}
        if reply_to:
            # Evolution looks the quoted message up by its key id.
            payload["quoted"] = {"key": {"id": reply_to}}
        answer = await self._http.call_json(
            "POST", f"/message/{operation}/{self._name}", idempotent=False, json=payload
        )
        return _result(obj(answer))


def number(to: str) -> str:
    """Evolution's ``number``: digits for a person, the full jid for groups and LIDs."""
    jid = jids.parse_jid(to)
    if jid is not None and jid.kind is not jids.JidKind.phone:
        return f"{jid.user}@{jid.server}"
    digits = wa_digits(to)
    if not digits:
        raise InvalidRequest(f"not a WhatsApp recipient: {to!r}")
    return digits


def remote_jid(to: str) -> str:
    jid = jids.parse_jid(to)
    if jid is None:
        return f"{number(to)}@s.whatsapp.net"
    server = "s.whatsapp.net" if jid.kind is jids.JidKind.phone else jid.server
    return f"{jid.user}@{server}"


def _result(answer: dict[str, Any]) -> SendResult:
    key = obj(answer.get("key"))
    message_id = non_empty(key.get("id"))
    if message_id is None:
        raise UnknownOutcome("Evolution accepted the message without returning its id")
    return SendResult(provider_message_id=message_id, recipient_id=non_empty(key.get("remoteJid")))


def _qr(answer: dict[str, Any]) -> QrCode | None:
    code, image = non_empty(answer.get("code")), non_empty(answer.get("base64"))
    if code is None and image is None:
        return None  # already open: connect answered the connection state
    return QrCode(qr=code, image_data_url=image, pairing_code=non_empty(answer.get("pairingCode")))


def _connect_state(answer: dict[str, Any]) -> SessionState:
    if _qr(answer) is not None:
        return SessionState(status=ConnectionStatus.qr, provider_state="connecting")
    state = non_empty(obj(answer.get("instance")).get("state")) or "unknown"
    status, reason = connection_status(state, opt_int(answer.get("statusReason")))
    return SessionState(status=status, provider_state=state, reason=reason)
