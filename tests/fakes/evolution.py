"""Fake Evolution API v2 (providers.md §3.1-3.3, §3.5-3.6) and a builder of its webhook
deliveries (§3.4), authenticated by the header we configure on the webhook."""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.deliveries import WebhookDelivery
from tests.fakes.server import FakeProvider, Fault
from tests.fakes.waha import PNG_1X1

API_KEY = "test-evolution-key"
INSTANCE = "t42"
WEBHOOK_TOKEN = "test-webhook-token"
TOKEN_HEADER = "X-Webhook-Token"
OWN_JID = "5511911112222@s.whatsapp.net"
_MEDIATYPES = {"image", "video", "document", "audio"}


def error_body(status: int, message: Any) -> dict[str, Any]:
    names = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        429: "Too Many Requests",
        500: "Internal Server Error",
    }
    return {"status": status, "error": names.get(status, "Error"), "response": {"message": message}}


@dataclass
class FakeInstance:
    name: str
    token: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    state: str = "close"
    webhook: dict[str, Any] = field(default_factory=dict)
    qr_count: int = 0
    instance_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def qr(self) -> dict[str, Any]:
        self.qr_count += 1
        png = base64.b64encode(PNG_1X1).decode()
        return {
            "pairingCode": None,
            "code": f"2@fake{self.name}{self.qr_count}",
            "base64": f"data:image/png;base64,{png}",
            "count": self.qr_count,
        }


class FakeEvolution(FakeProvider):
    name = "evolution"

    def __init__(self, *, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.instances: dict[str, FakeInstance] = {}
        self.not_on_whatsapp: set[str] = set()
        # Stored media of received messages, by message key id (getBase64FromMediaMessage).
        self.media: dict[str, tuple[bytes, str, str | None]] = {}
        self.sent: list[dict[str, Any]] = []
        # What POST /chat/findContacts and GET /group/fetchAllGroups answer (v2.3 shapes).
        self.contacts: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        super().__init__()

    def add_contact(self, remote_jid: str, push_name: str | None = None) -> None:
        self.contacts.append(
            {
                "id": f"cm{secrets.token_hex(10)}",
                "remoteJid": remote_jid,
                "pushName": push_name,
                "profilePicUrl": None,
                "createdAt": "2026-11-01T12:00:00.000Z",
                "updatedAt": "2026-11-01T12:00:00.000Z",
            }
        )

    def add_group(self, group_jid: str, subject: str) -> None:
        self.groups.append(
            {
                "id": group_jid,
                "subject": subject,
                "subjectOwner": OWN_JID,
                "subjectTime": 1760000000,
                "pictureUrl": None,
                "size": 3,
                "creation": 1760000000,
                "owner": OWN_JID,
                "desc": "",
                "restrict": False,
                "announce": False,
            }
        )

    def add_instance(self, name: str = INSTANCE, *, state: str = "open") -> FakeInstance:
        instance = FakeInstance(name, state=state)
        self.instances[name] = instance
        return instance

    def error_response(self, fault: Fault) -> web.Response:
        headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after else None
        return web.json_response(
            error_body(fault.status, fault.message), status=fault.status, headers=headers
        )

    def authorized(self, request: web.Request) -> bool:
        key = request.headers.get("apikey")
        if key == self.api_key:
            return True
        instance = self.instances.get(request.path.rstrip("/").rsplit("/", 1)[-1])
        return instance is not None and key == instance.token

    def unauthorized(self) -> web.Response:
        return web.json_response(error_body(401, "Unauthorized"), status=401)

    # --- routes ----------------------------------------------------------------------

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/instance/create", self._create)
        router.add_get("/instance/connect/{name}", self._connect)
        router.add_get("/instance/connectionState/{name}", self._state)
        router.add_delete("/instance/logout/{name}", self._logout)
        router.add_delete("/instance/delete/{name}", self._delete)
        router.add_post("/webhook/set/{name}", self._set_webhook)
        router.add_get("/webhook/find/{name}", self._find_webhook)
        router.add_post("/message/{op}/{name}", self._send)
        router.add_post("/chat/markMessageAsRead/{name}", self._mark_read)
        router.add_post("/chat/sendPresence/{name}", self._presence)
        router.add_post("/chat/getBase64FromMediaMessage/{name}", self._base64)
        router.add_post("/chat/findContacts/{name}", self._find_contacts)
        router.add_get("/group/fetchAllGroups/{name}", self._fetch_groups)

    def _instance(self, request: web.Request) -> FakeInstance | None:
        return self.instances.get(request.match_info["name"])

    @staticmethod
    def _missing(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        return web.json_response(
            error_body(404, [f'The "{name}" instance does not exist']), status=404
        )

    async def _create(self, request: web.Request) -> web.Response:
        if request.headers.get("apikey") != self.api_key:
            return self.unauthorized()  # only the global key creates instances
        body = self.recorded(request).json or {}
        name = body.get("instanceName")
        if body.get("integration") != "WHATSAPP-BAILEYS" or not name:
            return web.json_response(error_body(400, ["Invalid integration"]), status=400)
        if name in self.instances:
            return web.json_response(
                error_body(403, [f'This name "{name}" is already in use.']), status=403
            )
        instance = FakeInstance(name, state="connecting")
        instance.webhook = body.get("webhook") or {}
        self.instances[name] = instance
        answer: dict[str, Any] = {
            "instance": {
                "instanceName": name,
                "instanceId": instance.instance_id,
                "integration": "WHATSAPP-BAILEYS",
                "status": "connecting",
            },
            "hash": instance.token,
            "settings": {"rejectCall": False, "groupsIgnore": False},
        }
        if body.get("qrcode"):
            answer["qrcode"] = instance.qr()
        return web.json_response(answer, status=201)

    async def _connect(self, request: web.Request) -> web.Response:
        instance = self._instance(request)
        if instance is None:
            return self._missing(request)
        if instance.state == "open":
            return web.json_response({"instance": {"instanceName": instance.name, "state": "open"}})
        instance.state = "connecting"
        return web.json_response(instance.qr())

    async def _state(self, request: web.Request) -> web.Response:
        instance = self._instance(request)
        if instance is None:
            return self._missing(request)
        return web.json_response(
            {"instance": {"instanceName": instance.name, "state": instance.state}}
        )

    async def _logout(self, request: web.Request) -> web.Response:
        instance = self._instance(request)
        if instance is None:
            return self._missing(request)
        if instance.state == "close":
            return web.json_response(
                error_body(400, ['The "t42" instance is not connected']), status=400
            )
        instance.state = "close"
        return web.json_response(
            {"status": "SUCCESS", "error": False, "response": {"message": "Instance logged out"}}
        )

    async def _delete(self, request: web.Request) -> web.Response:
        if self.instances.pop(request.match_info["name"], None) is None:
            return self._missing(request)
        return web.json_response(
            {"status": "SUCCESS", "error": False, "response": {"message": "Instance deleted"}}
        )

    async def _set_webhook(self, request: web.Request) -> web.Response:
        instance = self._instance(request)
        if instance is None:
            return self._missing(request)
        webhook = (self.recorded(request).json or {}).get("webhook")
        if not isinstance(webhook, dict) or "enabled" not in webhook or not webhook.get("url"):
            return web.json_response(
                error_body(400, ["webhook.enabled and webhook.url are required"]), status=400
            )
        instance.webhook = webhook
        return web.json_response(
            {"webhook": {"instanceName": instance.name, **webhook}}, status=201
        )

    async def _find_contacts(self, request: web.Request) -> web.Response:
        if self._instance(request) is None:
            return self._missing(request)
        body = self.recorded(request).json
        if not isinstance(body, dict) or not isinstance(body.get("where"), dict):
            return web.json_response(error_body(400, ["where must be an object"]), status=400)
        return web.json_response(self.contacts)

    async def _fetch_groups(self, request: web.Request) -> web.Response:
        if self._instance(request) is None:
            return self._missing(request)
        if request.query.get("getParticipants") not in ("true", "false"):
            return web.json_response(
                error_body(400, ["The getParticipants needs to be informed in the query"]),
                status=400,
            )
        return web.json_response(self.groups)

    async def _find_webhook(self, request: web.Request) -> web.Response:
        instance = self._instance(request)
        return web.json_response(instance.webhook) if instance else self._missing(request)

    async def _send(self, request: web.Request) -> web.Response:
        instance = self._instance(request)
        if instance is None:
            return self._missing(request)
        op, body = request.match_info["op"], self.recorded(request).json
        if not isinstance(body, dict):
            return web.json_response(error_body(400, ["body must be JSON"]), status=400)
        if problem := _invalid(op, body):
            return web.json_response(error_body(400, [problem]), status=400)
        if instance.state != "open":
            return web.json_response(error_body(500, "Connection Closed"), status=500)
        number = str(body.get("number") or body.get("key", {}).get("remoteJid", ""))
        if number in self.not_on_whatsapp:
            return web.json_response(
                error_body(
                    400, [{"exists": False, "jid": f"{number}@s.whatsapp.net", "number": number}]
                ),
                status=400,
            )
        self.sent.append({"op": op, **body})
        jid = number if "@" in number else f"{number}@s.whatsapp.net"
        return web.json_response(
            {
                "key": {
                    "remoteJid": jid,
                    "fromMe": True,
                    "id": f"3EB0{next(self._ids):08X}{secrets.token_hex(6).upper()}",
                },
                "pushName": "Você",
                "status": "PENDING",
                "message": {"conversation": body.get("text", "")},
                "contextInfo": None,
                "messageType": "conversation" if op == "sendText" else op,
                "messageTimestamp": int(time.time()),
                "instanceId": instance.instance_id,
                "source": "unknown",
            },
            status=201,
        )

    async def _mark_read(self, request: web.Request) -> web.Response:
        body = self.recorded(request).json or {}
        items = body.get("readMessages")
        if not isinstance(items, list) or not all(
            {"remoteJid", "fromMe", "id"} <= set(i) for i in items
        ):
            return web.json_response(error_body(400, ["readMessages is required"]), status=400)
        return web.json_response({"message": "Read messages", "read": "success"}, status=201)

    async def _presence(self, request: web.Request) -> web.Response:
        body = self.recorded(request).json or {}
        if not body.get("number") or body.get("presence") not in (
            "composing",
            "recording",
            "paused",
            "available",
            "unavailable",
        ):
            return web.json_response(
                error_body(400, ["number and presence are required"]), status=400
            )
        return web.json_response({"presence": body["presence"]}, status=201)

    async def _base64(self, request: web.Request) -> web.Response:
        body = self.recorded(request).json or {}
        key_id = ((body.get("message") or {}).get("key") or {}).get("id")
        stored = self.media.get(key_id or "")
        if stored is None:
            return web.json_response(error_body(400, "Message not found"), status=400)
        data, mime, filename = stored
        return web.json_response(
            {
                "mediaType": mime.split("/")[0],
                "fileName": filename,
                "caption": None,
                "size": {"fileLength": len(data)},
                "mimetype": mime,
                "base64": base64.b64encode(data).decode(),
            },
            status=201,
        )


def _invalid(op: str, body: dict[str, Any]) -> str | None:
    """Request-shape rules of Evolution's JSON schemas (validate/message.schema.ts)."""
    if op == "sendReaction":
        key = body.get("key")
        if (
            not isinstance(key, dict)
            or not {"remoteJid", "fromMe", "id"} <= set(key)
            or "reaction" not in body
        ):
            return "key.remoteJid, key.fromMe, key.id and reaction are required"
        return None
    if not body.get("number"):
        return "number is required"
    required = {
        "sendText": "text",
        "sendMedia": "media",
        "sendWhatsAppAudio": "audio",
        "sendSticker": "sticker",
    }
    if op not in required:
        return f"unknown operation {op}"
    if not body.get(required[op]):
        return f"{required[op]} is required"
    if op == "sendMedia" and body.get("mediatype") not in _MEDIATYPES:
        return "mediatype must be one of image, video, document, audio"
    if "quoted" in body and not isinstance((body["quoted"] or {}).get("key", {}).get("id"), str):
        return "quoted.key.id is required"
    return None


class EvolutionWebhooks:
    """Builds Evolution webhook bodies (``{event, instance, data, …}``) with the token
    header Nexus configures on the webhook."""

    def __init__(self, token: str = WEBHOOK_TOKEN, *, instance: str = INSTANCE) -> None:
        self.token = token
        self.instance = instance
        self._ids = itertools.count(1)

    def key_id(self) -> str:
        return f"3EB0A1B2{next(self._ids):012X}"

    def event(
        self, event: str, data: Any, *, date_time: str = "2025-10-21T14:05:09.123Z"
    ) -> dict[str, Any]:
        return {
            "event": event,
            "instance": self.instance,
            "data": data,
            "destination": f"https://nexus.example/webhooks/evolution/{self.instance}",
            "date_time": date_time,
            "sender": OWN_JID,
            "server_url": "http://evolution:8080",
            "apikey": None,
        }

    def upsert(
        self,
        remote_jid: str,
        message: dict[str, Any],
        *,
        message_type: str | None = None,
        key_id: str | None = None,
        from_me: bool = False,
        participant: str | None = None,
        push_name: str = "Ana",
        event: str = "messages.upsert",
        **key_fields: Any,
    ) -> dict[str, Any]:
        addressing = (
            "lid" if remote_jid.endswith("@lid") or (participant or "").endswith("@lid") else "pn"
        )
        data = {
            "key": {
                "remoteJid": remote_jid,
                "fromMe": from_me,
                "id": key_id or self.key_id(),
                "participant": participant,
                "addressingMode": addressing,
                **key_fields,
            },
            "pushName": "Você" if from_me else push_name,
            "status": "DELIVERY_ACK",
            "message": message,
            "contextInfo": None,
            "messageType": message_type or next(iter(message)),
            "messageTimestamp": 1760000000,
            "instanceId": "1f0c0000-uuid",
            "source": "android",
        }
        return self.event(event, data)

    def text(self, remote_jid: str, text: str, **kwargs: Any) -> dict[str, Any]:
        return self.upsert(remote_jid, {"conversation": text, "messageContextInfo": {}}, **kwargs)

    def receipt(
        self, key_id: str, status: str | int, *, remote_jid: str, from_me: bool = True
    ) -> dict[str, Any]:
        return self.event(
            "messages.update",
            {
                "keyId": key_id,
                "remoteJid": remote_jid,
                "fromMe": from_me,
                "participant": None,
                "status": status,
                "instanceId": "1f0c0000-uuid",
                "messageId": "clx0dbid",
            },
        )

    def presence(
        self, remote_jid: str, state: str, *, participant: str | None = None
    ) -> dict[str, Any]:
        """``presence.update``: Baileys' event as Evolution forwards it, ``state`` being a
        Baileys presence (available, unavailable, composing, recording, paused)."""
        return self.event(
            "presence.update",
            {
                "id": remote_jid,
                "presences": {participant or remote_jid: {"lastKnownPresence": state}},
            },
        )

    def connection(
        self, state: str, *, status_reason: int = 200, date_time: str = "2025-10-21T14:05:09.123Z"
    ) -> dict[str, Any]:
        data = {"instance": self.instance, "state": state, "statusReason": status_reason}
        if state == "open":
            data |= {"wuid": OWN_JID, "profileName": "Loja X"}
        return self.event("connection.update", data, date_time=date_time)

    def qrcode(self, code: str = "2@AbC123") -> dict[str, Any]:
        png = base64.b64encode(PNG_1X1).decode()
        return self.event(
            "qrcode.updated",
            {
                "qrcode": {
                    "instance": self.instance,
                    "pairingCode": None,
                    "code": code,
                    "base64": f"data:image/png;base64,{png}",
                }
            },
        )

    def delivery(
        self, payload: dict[str, Any] | bytes, *, token: str | None = None
    ) -> WebhookDelivery:
        body = (
            payload
            if isinstance(payload, bytes)
            else json.dumps(payload, ensure_ascii=False).encode()
        )
        return WebhookDelivery(
            body=body,
            headers={"Content-Type": "application/json", TOKEN_HEADER: token or self.token},
        )
