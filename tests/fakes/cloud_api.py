"""Fake Meta WhatsApp Cloud API (providers.md §1.8-1.10, §1.13) and a builder of signed
Cloud API webhook deliveries (§1.2-1.6)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.deliveries import WebhookDelivery
from tests.fakes.server import FakeProvider, Fault

APP_SECRET = "test-app-secret"
ACCESS_TOKEN = "test-access-token"
PHONE_NUMBER_ID = "106540352242922"
DISPLAY_NUMBER = "15550001111"
WABA_ID = "102290129340398"
VERSION = r"{version:v\d+\.\d+}"

_DETAILS = {
    130429: "Too many messages sent from this phone number in a short period",
    131047: "Message failed to send because more than 24 hours have passed since the customer "
    "last replied to this number.",
    131026: "Message undeliverable",
    131000: "Something went wrong",
    190: "Error validating access token: Session has expired",
}
_TITLES = {
    130429: "Rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    131047: "Re-engagement message",
    131026: "Message undeliverable",
    131000: "Something went wrong",
    190: "Invalid OAuth access token",
}
_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_SEND_TYPES = {
    "text",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "template",
    "interactive",
    "reaction",
    "location",
    "contacts",
}


# The account's templates as GET /{waba-id}/message_templates lists them: positional and
# named body variables, one needing a media header and a URL button value, one not approved.
TEMPLATES: list[dict[str, Any]] = [
    {
        "id": "1001",
        "name": "order_update",
        "language": "pt_BR",
        "status": "APPROVED",
        "category": "UTILITY",
        "parameter_format": "POSITIONAL",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Seu pedido"},
            {
                "type": "BODY",
                "text": "Olá {{1}}, o pedido {{2}} saiu para entrega.",
                "example": {"body_text": [["Ana", "#4521"]]},
            },
            {"type": "FOOTER", "text": "Loja X"},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Obrigado"}]},
        ],
    },
    {
        "id": "1002",
        "name": "retomar_contato",
        "language": "pt_BR",
        "status": "APPROVED",
        "category": "MARKETING",
        "parameter_format": "NAMED",
        "components": [
            {
                "type": "BODY",
                "text": "Oi {{customer}}! Podemos continuar seu atendimento?",
                "example": {
                    "body_text_named_params": [{"param_name": "customer", "example": "Ana"}]
                },
            }
        ],
    },
    {
        "id": "1003",
        "name": "boleto_pdf",
        "language": "pt_BR",
        "status": "APPROVED",
        "category": "UTILITY",
        "parameter_format": "POSITIONAL",
        "components": [
            {"type": "HEADER", "format": "DOCUMENT"},
            {"type": "BODY", "text": "Segue seu boleto."},
            {
                "type": "BUTTONS",
                "buttons": [{"type": "URL", "text": "Pagar", "url": "https://x.example/{{1}}"}],
            },
        ],
    },
    {
        "id": "1004",
        "name": "order_update",
        "language": "en_US",
        "status": "APPROVED",
        "category": "UTILITY",
        "parameter_format": "POSITIONAL",
        "components": [{"type": "BODY", "text": "Hi {{1}}, order {{2}} is on its way."}],
    },
    {
        "id": "1005",
        "name": "promo_rejeitada",
        "language": "pt_BR",
        "status": "REJECTED",
        "category": "MARKETING",
        "components": [{"type": "BODY", "text": "Promoção!"}],
    },
]


def error_body(code: int, message: str | None = None) -> dict[str, Any]:
    title = message or _TITLES.get(code, "Error")
    return {
        "error": {
            "message": f"(#{code}) {title}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": _DETAILS.get(code, title)},
            "fbtrace_id": "A" + secrets.token_hex(8),
        }
    }


@dataclass
class StoredMedia:
    data: bytes
    mime_type: str
    url_issued_at: float = field(default_factory=time.monotonic)


class FakeCloudApi(FakeProvider):
    name = "cloud_api"
    URL_LIFETIME = 300.0  # media URLs live 5 minutes

    def __init__(
        self,
        *,
        access_token: str = ACCESS_TOKEN,
        phone_number_id: str = PHONE_NUMBER_ID,
    ) -> None:
        self.access_token = access_token
        self.phone_number_id = phone_number_id
        self.waba_id = WABA_ID
        self.templates = [dict(template) for template in TEMPLATES]
        self.media: dict[str, StoredMedia] = {}
        # Recipients whose 24 h window is closed: free-form sends fail with 131047.
        self.window_closed: set[str] = set()
        self.sent: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        super().__init__()

    # --- faults in the provider's own terms ------------------------------------------

    def rate_limit_next(self, *, status: int = 429, code: int = 130429) -> None:
        self.fail_next(Fault("error", status=status, code=code))

    def error_next(self, code: int, *, status: int = 400) -> None:
        self.fail_next(Fault("error", status=status, code=code))

    def error_response(self, fault: Fault) -> web.Response:
        if fault.code is None:
            return web.Response(status=fault.status, text="<html>Bad Gateway</html>")
        return web.json_response(error_body(int(fault.code)), status=fault.status)

    def authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.access_token}"

    def unauthorized(self) -> web.Response:
        return web.json_response(error_body(190), status=401)

    def add_media(self, data: bytes, mime_type: str) -> str:
        """Media a customer sent: its id appears in an inbound webhook."""
        media_id = str(1479537139650000 + next(self._ids))
        self.media[media_id] = StoredMedia(data, mime_type)
        return media_id

    def expire_media_urls(self) -> None:
        for stored in self.media.values():
            stored.url_issued_at -= self.URL_LIFETIME + 1

    # --- routes ----------------------------------------------------------------------

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post(f"/{VERSION}/{{node}}/messages", self._messages)
        router.add_post(f"/{VERSION}/{{node}}/media", self._upload)
        router.add_get(f"/{VERSION}/{{node}}/message_templates", self._templates)
        router.add_get(f"/{VERSION}/{{media_id}}", self._media_info)
        router.add_get("/lookaside/{media_id}", self._download)

    async def _messages(self, request: web.Request) -> web.Response:
        if request.match_info["node"] != self.phone_number_id:
            return web.json_response(error_body(100, "Unsupported post request"), status=400)
        body = self.recorded(request).json
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            return web.json_response(error_body(100, "Invalid parameter"), status=400)
        if body.get("status") == "read":
            if not str(body.get("message_id", "")).startswith("wamid."):
                return web.json_response(error_body(100, "Invalid parameter"), status=400)
            return web.json_response({"success": True})
        kind = body.get("type")
        to = str(body.get("to", ""))
        if kind not in _SEND_TYPES or not isinstance(body.get(kind), dict) or not to.isdigit():
            return web.json_response(
                error_body(131008, "Required parameter is missing"), status=400
            )
        if to in self.window_closed and kind != "template":
            return web.json_response(error_body(131047), status=400)
        if kind == "template" and (refusal := self._template_refusal(body["template"])):
            return web.json_response(error_body(refusal), status=400)
        self.sent.append(body)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": f"wamid.FAKE{next(self._ids):06d}{secrets.token_hex(4)}"}],
            }
        )

    def _template_refusal(self, sent: dict[str, Any]) -> int | None:
        """Meta's code for a template send that names no approved template, or whose
        header, body or buttons carry another number of values than the template has
        variables (a media header takes one)."""
        language = sent.get("language", {}).get("code")
        template = next(
            (
                t
                for t in self.templates
                if t["name"] == sent.get("name")
                and t["language"] == language
                and t["status"] == "APPROVED"
            ),
            None,
        )
        if template is None:
            return 132001
        expected: dict[tuple[str, str], int] = {}
        for component in template["components"]:
            kind = component["type"].lower()
            if kind == "header" and component.get("format", "TEXT") != "TEXT":
                expected[("header", "")] = 1
            elif kind in ("header", "body"):
                expected[(kind, "")] = len(set(_VARIABLE.findall(component.get("text", ""))))
            elif kind == "buttons":
                for index, button in enumerate(component["buttons"]):
                    takes = button["type"] == "COPY_CODE" or _VARIABLE.search(button.get("url", ""))
                    expected[("button", str(index))] = 1 if takes else 0
        given = {
            (component.get("type", ""), str(component.get("index", ""))): len(
                component.get("parameters", [])
            )
            for component in sent.get("components", [])
        }
        wanted = {key: count for key, count in expected.items() if count}
        return None if given == wanted else 132000

    async def _templates(self, request: web.Request) -> web.Response:
        """Cursor pages as the Graph API gives them: ``paging.next`` only when more follow."""
        if request.match_info["node"] != self.waba_id:
            return web.json_response(error_body(100, "Unsupported get request"), status=400)
        query = request.query
        wanted = [
            template
            for template in self.templates
            if "status" not in query or template["status"] == query["status"]
        ]
        start = int(query.get("after", "0"))
        size = int(query.get("limit", "25"))
        page = wanted[start : start + size]
        paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + size)}}
        if start + size < len(wanted):
            paging["next"] = f"{self.base_url}{request.path}?after={start + size}"
        return web.json_response({"data": page, "paging": paging})

    async def _upload(self, request: web.Request) -> web.Response:
        record = self.recorded(request)
        upload = record.files.get("file")
        if (
            upload is None
            or record.form.get("messaging_product") != "whatsapp"
            or not record.form.get("type")
        ):
            return web.json_response(
                error_body(131008, "Required parameter is missing"), status=400
            )
        media_id = self.add_media(upload.data, record.form["type"])
        return web.json_response({"id": media_id})

    async def _media_info(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if media_id == self.phone_number_id:
            # GET /{phone-number-id}: the number's profile (what verifies the credentials).
            return web.json_response(
                {
                    "verified_name": "Loja X",
                    "code_verification_status": "VERIFIED",
                    "display_phone_number": f"+{DISPLAY_NUMBER[0]} {DISPLAY_NUMBER[1:]}",
                    "quality_rating": "GREEN",
                    "platform_type": "CLOUD_API",
                    "throughput": {"level": "STANDARD"},
                    "id": self.phone_number_id,
                }
            )
        stored = self.media.get(media_id)
        if stored is None:
            return web.json_response(error_body(100, "Unsupported get request"), status=400)
        stored.url_issued_at = time.monotonic()
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base_url}/lookaside/{media_id}?ext=1&hash=fake",
                "mime_type": stored.mime_type,
                "sha256": hashlib.sha256(stored.data).hexdigest(),
                "file_size": len(stored.data),
                "id": media_id,
            }
        )

    async def _download(self, request: web.Request) -> web.Response:
        stored = self.media.get(request.match_info["media_id"])
        if stored is None or time.monotonic() - stored.url_issued_at > self.URL_LIFETIME:
            return web.Response(status=404, text="URL expired")
        return web.Response(body=stored.data, content_type=stored.mime_type)


class CloudWebhooks:
    """Builds Cloud API notifications and signs them like Meta does."""

    def __init__(
        self,
        app_secret: str = APP_SECRET,
        *,
        phone_number_id: str = PHONE_NUMBER_ID,
        display_number: str = DISPLAY_NUMBER,
    ) -> None:
        self.app_secret = app_secret
        self.phone_number_id = phone_number_id
        self.display_number = display_number
        self._ids = itertools.count(1)

    def wamid(self) -> str:
        return f"wamid.HBgN{next(self._ids):06d}"

    # --- message objects (elements of value.messages) ---------------------------------

    def message(
        self, from_: str, type_: str, content: Any, *, wamid: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        return {
            "from": from_,
            "id": wamid or self.wamid(),
            "timestamp": str(extra.pop("timestamp", 1760000000)),
            "type": type_,
            type_: content,
            **extra,
        }

    def text(self, from_: str, body: str, **extra: Any) -> dict[str, Any]:
        return self.message(from_, "text", {"body": body}, **extra)

    def status(
        self,
        wamid: str,
        status: str,
        recipient: str,
        *,
        error_code: int | None = None,
        timestamp: int = 1760000100,
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": wamid,
            "status": status,
            "timestamp": str(timestamp),
            "recipient_id": recipient,
        }
        if error_code is not None:
            title = _TITLES.get(error_code, "Error")
            item["errors"] = [
                {
                    "code": error_code,
                    "title": title,
                    "message": title,
                    "error_data": {"details": _DETAILS.get(error_code, title)},
                    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
                }
            ]
        return item

    def notification(
        self,
        *,
        messages: list[dict[str, Any]] | None = None,
        statuses: list[dict[str, Any]] | None = None,
        errors: list[dict[str, Any]] | None = None,
        contacts: list[dict[str, Any]] | None = None,
        field_name: str = "messages",
    ) -> dict[str, Any]:
        value: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": self.display_number,
                "phone_number_id": self.phone_number_id,
            },
        }
        if contacts is None and messages:
            contacts = [
                {"profile": {"name": "Ana"}, "wa_id": m["from"]} for m in messages if "from" in m
            ]
        for key, items in (
            ("contacts", contacts),
            ("messages", messages),
            ("statuses", statuses),
            ("errors", errors),
        ):
            if items:
                value[key] = items
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": WABA_ID, "changes": [{"field": field_name, "value": value}]}],
        }

    # --- deliveries ------------------------------------------------------------------

    def delivery(
        self, payload: dict[str, Any] | bytes, *, secret: str | None = None
    ) -> WebhookDelivery:
        body = (
            payload
            if isinstance(payload, bytes)
            else json.dumps(payload, ensure_ascii=False).encode()
        )
        signature = hmac.new((secret or self.app_secret).encode(), body, hashlib.sha256).hexdigest()
        return WebhookDelivery(
            body=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": f"sha256={signature}",
            },
        )

    @staticmethod
    def handshake(verify_token: str, challenge: str = "1158201444") -> dict[str, str]:
        return {
            "hub.mode": "subscribe",
            "hub.challenge": challenge,
            "hub.verify_token": verify_token,
        }
