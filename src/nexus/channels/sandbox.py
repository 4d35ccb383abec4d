"""The built-in sandbox channel (C6): a simulated customer phone, no external service.

Its "provider" is Nexus itself. The simulated phone (web page or API client) posts to the
connection's webhook URL with header ``X-Sandbox-Token: <verify_token>`` a JSON object, or
a list of them:

    {"event": "message", "id": "<unique per message>", "from": "+5511988887777",
     "name": "Ana", "type": "text", "text": "Oi", "reply_to": "<message id>",
     "timestamp": 1760000000,
     "media": {"url": "data:image/png;base64,…", "mime_type": "image/png",
               "filename": "foto.png", "size": 1234},
     "location": {"latitude": -23.56, "longitude": -46.65, "name": "…", "address": "…"},
     "reaction": {"message_id": "<id>", "emoji": "👍"},
     "interactive_reply": {"id": "dept_billing", "title": "Financeiro"}}

    {"event": "status", "message_id": "sbx_…", "status": "delivered" | "read",
     "to": "+5511988887777", "timestamp": 1760000000}

    {"event": "typing", "from": "+5511988887777", "is_typing": true | false}

``typing`` is relayed to the agents and never stored (``parse_typing``); the phone page sends
it again every few seconds while the customer types, so that a lost one does not matter.

``type`` defaults from the content. Outbound messages are not sent anywhere: the send
methods give each one its sandbox id (``sbx_…``) and the caller stores it for the
simulated phone to show; there is no delivery to report other than what the phone posts.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

from nexus.channels.base import MEDIA_KINDS, ChannelAdapter
from nexus.channels.capabilities import MB, Capabilities, MediaLimit
from nexus.channels.errors import InvalidRequest, MalformedWebhook
from nexus.channels.events import (
    CustomerTyping,
    Event,
    InboundMessage,
    InteractiveReply,
    Location,
    MediaDescriptor,
    Party,
    Reaction,
    StatusUpdate,
)
from nexus.channels.mediatypes import kind_for_mime
from nexus.channels.outbound import (
    Button,
    DownloadedMedia,
    ListSection,
    MediaSource,
    SendResult,
    SessionState,
)
from nexus.channels.payload import (
    epoch,
    load_json,
    non_empty,
    now,
    obj,
    objs,
    opt_float,
    opt_int,
    opt_str,
)
from nexus.channels.phones import to_e164
from nexus.channels.settings import webhook_secret
from nexus.channels.signatures import require_token
from nexus.models.connection import ChannelKind, ConnectionStatus
from nexus.models.contact_identity import IdentityKind
from nexus.models.message import MessageStatus, MessageType

TOKEN_HEADER = "X-Sandbox-Token"
_MEDIA = MediaLimit(16 * MB)
_STATUSES = {"delivered": MessageStatus.delivered, "read": MessageStatus.read}


class SandboxAdapter(ChannelAdapter):
    kind: ClassVar[ChannelKind] = ChannelKind.sandbox
    capabilities: ClassVar[Capabilities] = Capabilities(
        interactive_buttons=True,  # the simulated phone renders them
        interactive_list=True,
        max_buttons=10,
        typing=True,
        read_receipts=True,
        templates=False,
        reactions=True,
        sessions=False,
        max_text_length=4096,
        max_caption_length=1024,
        media=dict.fromkeys(MEDIA_KINDS, _MEDIA),
    )

    def __init__(
        self, config: Mapping[str, Any], secrets: Mapping[str, str], http: httpx.AsyncClient
    ) -> None:
        self._token = webhook_secret(secrets, self.kind.value)

    def verify_webhook(
        self, headers: Mapping[str, str], raw_body: bytes, query: Mapping[str, str]
    ) -> None:
        require_token(headers, TOKEN_HEADER, expected=self._token)

    def parse_webhook(self, raw_body: bytes) -> list[Event]:
        return [_event(item) for item in _items(raw_body) if item.get("event") != "typing"]

    def parse_typing(self, raw_body: bytes) -> list[CustomerTyping]:
        return [_typing(item) for item in _items(raw_body) if item.get("event") == "typing"]

    # Every send is accepted by Nexus itself; the id is the sandbox's own.

    async def send_text(self, to: str, text: str, *, reply_to: str | None = None) -> SendResult:
        self._check_text(text)
        return _accepted(to)

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
        return _accepted(to)

    async def send_reaction(
        self, to: str, message_id: str, emoji: str, *, from_me: bool = False
    ) -> SendResult:
        return _accepted(to)

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
        return _accepted(to)

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
        return _accepted(to)

    async def mark_read(self, to: str, message_ids: Sequence[str]) -> None:
        return None  # the caller shows read ticks to the simulated phone itself

    async def send_typing(self, to: str, *, message_id: str | None = None) -> None:
        return None

    async def get_status(self) -> SessionState:
        # The simulated phone lives inside Nexus: there is nothing that can be down.
        return SessionState(status=ConnectionStatus.connected, provider_state="built-in")

    async def download_media(self, media: MediaDescriptor) -> DownloadedMedia:
        """Sandbox media arrives inline as a ``data:`` URL."""
        url = media.url or ""
        header, separator, payload = url.partition(",")
        if not url.startswith("data:") or not separator or not header.endswith(";base64"):
            raise InvalidRequest("sandbox media must be a base64 data: URL")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidRequest("sandbox media is not valid base64") from exc
        mime = header.removeprefix("data:").removesuffix(";base64") or media.mime_type
        return DownloadedMedia(
            data=data,
            mime_type=mime or "application/octet-stream",
            filename=media.filename,
        )


def _accepted(to: str) -> SendResult:
    return SendResult(provider_message_id=f"sbx_{uuid.uuid4().hex}", recipient_id=to)


def _items(raw_body: bytes) -> list[dict[str, Any]]:
    body = load_json(raw_body)
    items = objs(body) if isinstance(body, list) else [body] if isinstance(body, dict) else None
    if items is None:
        raise MalformedWebhook("sandbox body is neither an object nor a list")
    return items


def _typing(item: dict[str, Any]) -> CustomerTyping:
    phone = _phone(item.get("from"))
    is_typing = item.get("is_typing")
    if phone is None or not isinstance(is_typing, bool):
        raise MalformedWebhook("a sandbox typing needs a from phone number and is_typing")
    return CustomerTyping(contact=_party(phone), is_typing=is_typing)


def _party(phone: str, name: str | None = None) -> Party:
    return Party(kind=IdentityKind.sandbox, external_id=phone, phone=phone, name=name)


def _event(item: dict[str, Any]) -> Event:
    timestamp = epoch(item.get("timestamp")) or now()
    if item.get("event") == "status":
        message_id = non_empty(item.get("message_id"))
        status = _STATUSES.get(non_empty(item.get("status")) or "")
        if message_id is None or status is None:
            raise MalformedWebhook("a sandbox status needs message_id and delivered|read")
        recipient = _phone(item.get("to"))
        return StatusUpdate(
            event_id=f"status:{message_id}:{status.value}",
            ordering_key=recipient or message_id,
            timestamp=timestamp,
            provider_message_id=message_id,
            status=status,
            recipient=recipient,
        )
    message_id = non_empty(item.get("id"))
    phone = _phone(item.get("from"))
    if message_id is None or phone is None:
        raise MalformedWebhook("a sandbox message needs an id and a from phone number")
    return InboundMessage(
        event_id=f"message:{message_id}",
        ordering_key=phone,
        timestamp=timestamp,
        provider_message_id=message_id,
        chat_id=phone,
        sender=_party(phone, non_empty(item.get("name"))),
        reply_to=non_empty(item.get("reply_to")),
        **_content(item),
    )


def _phone(value: Any) -> str | None:
    return to_e164(non_empty(value))


def _content(item: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"text": opt_str(item.get("text"))}
    declared = non_empty(item.get("type"))
    media, location = obj(item.get("media")), obj(item.get("location"))
    reaction, reply = obj(item.get("reaction")), obj(item.get("interactive_reply"))
    inferred = MessageType.text
    if media:
        mime = non_empty(media.get("mime_type"))
        fields["media"] = MediaDescriptor(
            url=non_empty(media.get("url")),
            mime_type=mime,
            filename=non_empty(media.get("filename")),
            size=opt_int(media.get("size")),
        )
        inferred = kind_for_mime(mime)
    elif location:
        latitude, longitude = (
            opt_float(location.get("latitude")),
            opt_float(location.get("longitude")),
        )
        if latitude is None or longitude is None:
            raise MalformedWebhook("a sandbox location needs latitude and longitude")
        fields["location"] = Location(
            latitude=latitude,
            longitude=longitude,
            name=non_empty(location.get("name")),
            address=non_empty(location.get("address")),
        )
        inferred = MessageType.location
    elif reaction:
        target = non_empty(reaction.get("message_id"))
        if target is None:
            raise MalformedWebhook("a sandbox reaction needs message_id")
        fields["reaction"] = Reaction(
            target_message_id=target, emoji=opt_str(reaction.get("emoji")) or ""
        )
        inferred = MessageType.reaction
    elif reply:
        reply_id = non_empty(reply.get("id"))
        if reply_id is None:
            raise MalformedWebhook("a sandbox interactive reply needs an id")
        fields["interactive_reply"] = InteractiveReply(
            id=reply_id, title=opt_str(reply.get("title"))
        )
        fields["text"] = fields["text"] or opt_str(reply.get("title"))
        inferred = MessageType.interactive
    try:
        fields["type"] = MessageType(declared) if declared else inferred
    except ValueError as exc:
        raise MalformedWebhook(f"unknown sandbox message type {declared!r}") from exc
    return fields
