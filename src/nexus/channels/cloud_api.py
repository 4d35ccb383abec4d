"""Meta WhatsApp Cloud API (Graph API) adapter — providers.md §1.

Config: ``phone_number_id``, optional ``base_url`` (default Graph) and ``api_version``, and
``waba_id`` (the WhatsApp Business Account) to list its templates.
Secrets: ``access_token``, ``app_secret`` (webhook HMAC), ``verify_token`` (GET handshake).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

from nexus.channels.base import ChannelAdapter
from nexus.channels.capabilities import MB, Capabilities, MediaLimit
from nexus.channels.cloud_api_errors import classify_cloud_error
from nexus.channels.cloud_api_templates import parse_template
from nexus.channels.cloud_api_webhooks import parse_cloud_webhook
from nexus.channels.errors import (
    ChannelConfigError,
    HandshakeRefused,
    InvalidRequest,
    UnknownOutcome,
)
from nexus.channels.events import Event, MediaDescriptor
from nexus.channels.http import ProviderHttp
from nexus.channels.outbound import (
    Button,
    DownloadedMedia,
    ListSection,
    MediaBytes,
    MediaSource,
    SendResult,
    SessionState,
    Template,
)
from nexus.channels.payload import non_empty, obj, objs
from nexus.channels.phones import to_e164, wa_digits
from nexus.channels.settings import optional, required, timeout
from nexus.channels.signatures import require_hmac
from nexus.models.connection import ChannelKind, ConnectionStatus
from nexus.models.message import MessageType

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v23.0"
SIGNATURE_HEADER = "X-Hub-Signature-256"

# The `type` and object key of each media kind; a voice note is an ogg/opus "audio".
_MEDIA_KEY = {
    MessageType.image: "image",
    MessageType.video: "video",
    MessageType.audio: "audio",
    MessageType.voice: "audio",
    MessageType.document: "document",
    MessageType.sticker: "sticker",
}
_AUDIO = MediaLimit(
    16 * MB, frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"})
)

# Interactive limits from Meta's reference (providers.md §1.8).
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_HEADER_FOOTER = 60
# An account has at most a few hundred templates; more pages than this is a runaway cursor.
TEMPLATE_PAGE_SIZE = 100
MAX_TEMPLATE_PAGES = 20


class CloudApiAdapter(ChannelAdapter):
    kind: ClassVar[ChannelKind] = ChannelKind.cloud_api
    capabilities: ClassVar[Capabilities] = Capabilities(
        interactive_buttons=True,
        interactive_list=True,
        max_buttons=MAX_BUTTONS,
        typing=True,
        read_receipts=True,
        templates=True,
        reactions=True,
        sessions=False,
        max_text_length=4096,
        max_caption_length=1024,
        media={
            MessageType.image: MediaLimit(5 * MB, frozenset({"image/jpeg", "image/png"})),
            MessageType.video: MediaLimit(16 * MB, frozenset({"video/mp4", "video/3gpp"})),
            MessageType.audio: _AUDIO,
            MessageType.voice: _AUDIO,
            MessageType.document: MediaLimit(100 * MB),
            # 100 KB static / 500 KB animated: the larger bound, Meta refuses the rest.
            MessageType.sticker: MediaLimit(500 * 1024, frozenset({"image/webp"})),
        },
    )

    def __init__(
        self, config: Mapping[str, Any], secrets: Mapping[str, str], http: httpx.AsyncClient
    ) -> None:
        provider = self.kind.value
        self.phone_number_id = required(config, "phone_number_id", provider)
        self.waba_id = optional(config, "waba_id", "")
        self._app_secret = required(secrets, "app_secret", provider)
        self._verify_token = secrets.get("verify_token") or None
        access_token = required(secrets, "access_token", provider)
        version = optional(config, "api_version", DEFAULT_API_VERSION)
        base = optional(config, "base_url", DEFAULT_BASE_URL).rstrip("/")
        self._auth = {"Authorization": f"Bearer {access_token}"}
        self._http = ProviderHttp(
            http,
            provider=provider,
            base_url=f"{base}/{version}",
            classify=classify_cloud_error,
            headers=self._auth,
            timeout=timeout(config),
        )

    # --- inbound ---------------------------------------------------------------------

    def verify_webhook(
        self, headers: Mapping[str, str], raw_body: bytes, query: Mapping[str, str]
    ) -> None:
        require_hmac(
            headers,
            SIGNATURE_HEADER,
            key=self._app_secret,
            body=raw_body,
            algorithm="sha256",
            prefix="sha256=",
        )

    def handshake(self, query: Mapping[str, str]) -> str | None:
        token = query.get("hub.verify_token") or ""
        challenge = query.get("hub.challenge")
        if (
            query.get("hub.mode") != "subscribe"
            or challenge is None
            or not self._verify_token
            or not hmac.compare_digest(token.encode(), self._verify_token.encode())
        ):
            raise HandshakeRefused("hub.mode or hub.verify_token is wrong")
        return challenge

    def parse_webhook(self, raw_body: bytes) -> list[Event]:
        return parse_cloud_webhook(raw_body)

    # --- outbound --------------------------------------------------------------------

    async def send_text(self, to: str, text: str, *, reply_to: str | None = None) -> SendResult:
        self._check_text(text)
        return await self._send(to, "text", {"preview_url": False, "body": text}, reply_to)

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
        key = _MEDIA_KEY[kind]
        body: dict[str, Any] = (
            {"id": await self.upload_media(media)}
            if isinstance(media, MediaBytes)
            else {"link": media.url}
        )
        if caption and key in ("image", "video", "document"):
            body["caption"] = caption
        if key == "document" and media.filename:
            body["filename"] = media.filename
        return await self._send(to, key, body, reply_to)

    async def upload_media(self, media: MediaBytes) -> str:
        """Upload a file; the id is valid for 30 days. Repeating it is harmless, so an
        upload that loses its answer is simply retried (idempotent)."""
        answer = await self._http.call_json(
            "POST",
            f"/{self.phone_number_id}/media",
            idempotent=True,
            data={"messaging_product": "whatsapp", "type": media.mime_type},
            files={"file": (media.filename or "file", media.data, media.mime_type)},
        )
        media_id = non_empty(obj(answer).get("id"))
        if media_id is None:
            raise InvalidRequest("Cloud API media upload answered without an id")
        return media_id

    async def send_template(
        self,
        to: str,
        name: str,
        language: str,
        components: Sequence[Mapping[str, Any]] = (),
    ) -> SendResult:
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if components:
            template["components"] = [dict(component) for component in components]
        return await self._send(to, "template", template, None)

    async def list_templates(self) -> list[Template]:
        """The account's approved templates, every page of them."""
        if not self.waba_id:
            raise ChannelConfigError(
                "cloud_api: waba_id (WhatsApp Business Account id) is required to list templates"
            )
        params = {
            "fields": "name,language,status,category,parameter_format,components",
            "status": "APPROVED",
            "limit": str(TEMPLATE_PAGE_SIZE),
        }
        templates: list[Template] = []
        for _ in range(MAX_TEMPLATE_PAGES):
            answer = obj(
                await self._http.call_json(
                    "GET", f"/{self.waba_id}/message_templates", idempotent=True, params=params
                )
            )
            templates += filter(None, map(parse_template, objs(answer.get("data"))))
            paging = obj(answer.get("paging"))
            after = non_empty(obj(paging.get("cursors")).get("after"))
            if not paging.get("next") or after is None:
                break
            params["after"] = after
        return templates

    async def send_reaction(
        self, to: str, message_id: str, emoji: str, *, from_me: bool = False
    ) -> SendResult:
        return await self._send(to, "reaction", {"message_id": message_id, "emoji": emoji}, None)

    async def mark_read(self, to: str, message_ids: Sequence[str]) -> None:
        # Marking the latest message read marks every earlier one too.
        if message_ids:
            await self._status_call({"status": "read", "message_id": message_ids[-1]})

    async def send_typing(self, to: str, *, message_id: str | None = None) -> None:
        if not message_id:
            raise InvalidRequest("the Cloud API typing indicator needs the inbound message id")
        await self._status_call(
            {"status": "read", "message_id": message_id, "typing_indicator": {"type": "text"}}
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
        if not 1 <= len(buttons) <= MAX_BUTTONS:
            raise InvalidRequest(f"reply buttons: 1 to {MAX_BUTTONS}")
        _limit("button title", [b.title for b in buttons], MAX_BUTTON_TITLE)
        interactive = _frame("button", body, header, footer)
        interactive["action"] = {
            "buttons": [
                {"type": "reply", "reply": {"id": button.id, "title": button.title}}
                for button in buttons
            ]
        }
        return await self._send(to, "interactive", interactive, reply_to)

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
        rows = [row for section in sections for row in section.rows]
        # Older reference pages allow 10 rows in total; enforcing that is always accepted.
        if not 1 <= len(rows) <= MAX_LIST_ROWS:
            raise InvalidRequest(f"list rows: 1 to {MAX_LIST_ROWS} in total")
        _limit("list button", [button_label], MAX_BUTTON_TITLE)
        _limit("row title", [row.title for row in rows], MAX_ROW_TITLE)
        _limit("row description", [row.description or "" for row in rows], MAX_ROW_DESCRIPTION)
        interactive = _frame("list", body, header, footer)
        interactive["action"] = {
            "button": button_label,
            "sections": [
                {
                    **({"title": section.title} if section.title else {}),
                    "rows": [
                        {
                            "id": row.id,
                            "title": row.title,
                            **({"description": row.description} if row.description else {}),
                        }
                        for row in section.rows
                    ],
                }
                for section in sections
            ],
        }
        return await self._send(to, "interactive", interactive, reply_to)

    async def download_media(self, media: MediaDescriptor) -> DownloadedMedia:
        url, mime = media.url, media.mime_type
        if media.provider_media_id:
            # The file URL lives 5 minutes: always ask for a fresh one by id.
            info = obj(
                await self._http.call_json("GET", f"/{media.provider_media_id}", idempotent=True)
            )
            url = non_empty(info.get("url")) or url
            mime = non_empty(info.get("mime_type")) or mime
        if not url:
            raise InvalidRequest("Cloud API media has neither an id nor a URL")
        data, content_type = await self._http.download(url, max_bytes=100 * MB)
        return DownloadedMedia(
            data=data,
            mime_type=mime or content_type or "application/octet-stream",
            filename=media.filename,
        )

    # --- health ----------------------------------------------------------------------

    async def get_status(self) -> SessionState:
        """Reading the phone number proves the token and the number id are valid: the Cloud
        API has no session, so this is all "connected" can mean."""
        info = obj(
            await self._http.call_json(
                "GET",
                f"/{self.phone_number_id}",
                idempotent=True,
                params={"fields": "display_phone_number,verified_name,quality_rating"},
            )
        )
        quality = non_empty(info.get("quality_rating"))
        return SessionState(
            status=ConnectionStatus.connected,
            provider_state=quality or "reachable",
            reason=f"quality rating {quality}" if quality and quality != "GREEN" else None,
            phone=to_e164(non_empty(info.get("display_phone_number"))),
        )

    # --- plumbing --------------------------------------------------------------------

    async def _send(
        self, to: str, type_: str, content: dict[str, Any], reply_to: str | None
    ) -> SendResult:
        recipient = wa_digits(to)
        if not recipient:
            raise InvalidRequest(f"not a WhatsApp recipient: {to!r}")
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient,
            "type": type_,
            type_: content,
        }
        if reply_to:
            payload["context"] = {"message_id": reply_to}
        answer = obj(
            await self._http.call_json(
                "POST", f"/{self.phone_number_id}/messages", idempotent=False, json=payload
            )
        )
        messages = objs(answer.get("messages"))
        message_id = non_empty(messages[0].get("id")) if messages else None
        if message_id is None:
            raise UnknownOutcome("Cloud API accepted the message without returning its id")
        contacts = objs(answer.get("contacts"))
        return SendResult(
            provider_message_id=message_id,
            recipient_id=non_empty(contacts[0].get("wa_id")) if contacts else None,
        )

    async def _status_call(self, body: dict[str, Any]) -> None:
        await self._http.call(
            "POST",
            f"/{self.phone_number_id}/messages",
            idempotent=True,
            json={"messaging_product": "whatsapp", **body},
        )


def _frame(type_: str, body: str, header: str | None, footer: str | None) -> dict[str, Any]:
    _limit("header/footer", [header or "", footer or ""], MAX_HEADER_FOOTER)
    interactive: dict[str, Any] = {"type": type_, "body": {"text": body}}
    if header:
        interactive["header"] = {"type": "text", "text": header}
    if footer:
        interactive["footer"] = {"text": footer}
    return interactive


def _limit(what: str, values: Sequence[str], maximum: int) -> None:
    for value in values:
        if len(value) > maximum:
            raise InvalidRequest(f"{what} longer than {maximum} characters: {value!r}")
