"""Fake WAHA (providers.md §2.1-2.5, §2.8-2.9) and a builder of HMAC-signed WAHA webhook
deliveries (§2.6)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.deliveries import WebhookDelivery
from tests.fakes.server import FakeProvider, Fault

API_KEY = "test-waha-key"
HMAC_KEY = "test-hmac-key"
SESSION = "tenant_42"
ME_ID = "5511911112222@c.us"
ME_LID = "99887766@lid"
# A tiny real PNG (1x1), so "image" QR answers are genuine images.
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
_FILE_SENDS = {"/api/sendImage", "/api/sendFile", "/api/sendVoice", "/api/sendVideo"}


@dataclass
class FakeSession:
    name: str
    status: str = "STOPPED"
    config: dict[str, Any] = field(default_factory=dict)
    paired: bool = False  # has auth data (a scanned QR)
    broken: bool = False  # every start ends FAILED (a banned number, a crashed browser)

    def dto(self) -> dict[str, Any]:
        me = (
            {"id": ME_ID, "lid": ME_LID, "pushName": "Loja X"} if self.status == "WORKING" else None
        )
        return {
            "name": self.name,
            "status": self.status,
            "config": self.config,
            "me": me,
            "engine": {"engine": "GOWS"},
        }


class FakeWaha(FakeProvider):
    name = "waha"

    def __init__(self, *, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.sessions: dict[str, FakeSession] = {}
        self.files: dict[str, tuple[bytes, str]] = {}
        self.lids: dict[str, str | None] = {}
        self.sent: list[dict[str, Any]] = []
        # The phone's address book and groups, as GET /api/contacts/all and
        # GET /api/{session}/groups (WEBJS engine) answer them.
        self.contacts: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        super().__init__()

    # --- state helpers for tests -----------------------------------------------------

    def add_contact(self, phone_digits: str, name: str | None = None, **fields: Any) -> None:
        self.contacts.append(
            {
                "id": f"{phone_digits}@c.us",
                "number": phone_digits,
                "name": name,
                "pushname": name,
                "shortName": name.split()[0] if name else None,
                "isMe": False,
                "isUser": True,
                "isGroup": False,
                "isWAContact": True,
                "isMyContact": name is not None,
                "isBlocked": False,
                **fields,
            }
        )

    def add_group(self, group_user: str, name: str) -> None:
        self.groups.append(
            {
                "id": {"server": "g.us", "user": group_user, "_serialized": f"{group_user}@g.us"},
                "name": name,
                "isGroup": True,
                "isReadOnly": False,
                "unreadCount": 0,
                "timestamp": 1760000000,
            }
        )

    def add_session(self, name: str = SESSION, *, status: str = "WORKING") -> FakeSession:
        session = FakeSession(name, status=status, paired=status == "WORKING")
        self.sessions[name] = session
        return session

    def add_file(self, name: str, data: bytes, mime_type: str, session: str = SESSION) -> str:
        path = f"/api/files/{session}/{name}"
        self.files[path] = (data, mime_type)
        return f"{self.base_url}{path}"

    def error_response(self, fault: Fault) -> web.Response:
        if fault.status == 429:
            return web.json_response(
                {"statusCode": 429, "message": "Too Many Requests"},
                status=429,
                headers={"Retry-After": str(int(fault.retry_after or 1))},
            )
        return web.json_response(
            {"statusCode": fault.status, "message": fault.message}, status=fault.status
        )

    def authorized(self, request: web.Request) -> bool:
        return request.headers.get("X-Api-Key") == self.api_key

    def unauthorized(self) -> web.Response:
        return web.json_response({"message": "Unauthorized", "statusCode": 401}, status=401)

    # --- routes ----------------------------------------------------------------------

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/api/sessions", self._create)
        router.add_get("/api/sessions/{name}", self._get)
        router.add_put("/api/sessions/{name}", self._update)
        router.add_delete("/api/sessions/{name}", self._delete)
        router.add_post("/api/sessions/{name}/{action}", self._action)
        router.add_get("/api/{name}/auth/qr", self._qr)
        router.add_get("/api/{name}/lids/{lid}", self._lid)
        router.add_get("/api/contacts/all", self._contacts)
        router.add_get("/api/{name}/groups", self._groups)
        router.add_get("/api/files/{path:.+}", self._file)
        for path in (
            "/api/sendText",
            *_FILE_SENDS,
            "/api/sendSeen",
            "/api/startTyping",
            "/api/stopTyping",
        ):
            router.add_post(path, self._send)
        router.add_put("/api/reaction", self._reaction)

    def _session(self, request: web.Request) -> FakeSession | None:
        return self.sessions.get(request.match_info["name"])

    @staticmethod
    def _not_found() -> web.Response:
        return web.json_response(
            {"statusCode": 404, "message": "Session not found", "error": "Not Found"}, status=404
        )

    @staticmethod
    def _wrong_state(session: FakeSession, expected: list[str]) -> web.Response:
        return web.json_response(
            {
                "error": "Session status is not as expected. "
                "Try again later or restart the session",
                "session": session.name,
                "status": session.status,
                "expected": expected,
            },
            status=422,
        )

    async def _create(self, request: web.Request) -> web.Response:
        body = self.recorded(request).json or {}
        name = body.get("name") or f"session_{secrets.token_hex(3)}"
        if name in self.sessions:
            return web.json_response(
                {
                    "statusCode": 422,
                    "message": f"Session '{name}' already exists. Use PUT to update it.",
                },
                status=422,
            )
        session = FakeSession(name, config=body.get("config") or {})
        self.sessions[name] = session
        if body.get("start", True):
            self._start(session)
        return web.json_response(session.dto(), status=201)

    async def _get(self, request: web.Request) -> web.Response:
        session = self._session(request)
        return web.json_response(session.dto()) if session else self._not_found()

    async def _update(self, request: web.Request) -> web.Response:
        session = self._session(request)
        if session is None:
            return self._not_found()
        session.config = (self.recorded(request).json or {}).get("config") or {}
        if session.status != "STOPPED":
            self._start(session)  # PUT restarts a running session
        return web.json_response(session.dto())

    async def _delete(self, request: web.Request) -> web.Response:
        self.sessions.pop(request.match_info["name"], None)
        return web.json_response({})

    async def _action(self, request: web.Request) -> web.Response:
        session = self._session(request)
        if session is None:
            return self._not_found()
        action = request.match_info["action"]
        if action in ("start", "restart"):
            self._start(session)
        elif action == "stop":
            session.status = "STOPPED"
        elif action == "logout":
            session.paired = False
            if session.status != "STOPPED":
                session.status = "SCAN_QR_CODE"
        else:
            return web.json_response({"statusCode": 404, "message": "Cannot POST"}, status=404)
        return web.json_response(session.dto(), status=201)

    @staticmethod
    def _start(session: FakeSession) -> None:
        if session.broken:
            session.status = "FAILED"
        else:
            session.status = "WORKING" if session.paired else "SCAN_QR_CODE"

    def _working(self, name: str | None) -> FakeSession | web.Response:
        session = self.sessions.get(name or "")
        if session is None:
            return self._not_found()
        if session.status != "WORKING":
            return self._wrong_state(session, ["WORKING"])
        return session

    async def _contacts(self, request: web.Request) -> web.Response:
        session = self._working(request.query.get("session"))
        if isinstance(session, web.Response):
            return session
        return web.json_response(
            [
                {"id": ME_ID, "number": ME_ID.split("@")[0], "name": None, "isMe": True},
                *self.contacts,
            ]
        )

    async def _groups(self, request: web.Request) -> web.Response:
        session = self._working(request.match_info["name"])
        if isinstance(session, web.Response):
            return session
        return web.json_response(self.groups)

    async def _qr(self, request: web.Request) -> web.Response:
        session = self._session(request)
        if session is None:
            return self._not_found()
        if session.status != "SCAN_QR_CODE":
            return self._wrong_state(session, ["SCAN_QR_CODE"])
        if request.query.get("format") == "raw":
            return web.json_response({"value": f"2@fakeqr{session.name},{int(time.time())}"})
        if request.headers.get("Accept") == "application/json":
            return web.json_response(
                {"mimetype": "image/png", "data": base64.b64encode(PNG_1X1).decode()}
            )
        return web.Response(body=PNG_1X1, content_type="image/png")

    async def _lid(self, request: web.Request) -> web.Response:
        lid = request.match_info["lid"]
        if lid not in self.lids:
            return web.json_response({"statusCode": 404, "message": "LID not found"}, status=404)
        return web.json_response({"lid": lid, "pn": self.lids[lid]})

    async def _file(self, request: web.Request) -> web.Response:
        stored = self.files.get(request.path)
        if stored is None:
            return web.json_response(
                {"error": {"code": 404, "key": "FILE_NOT_FOUND", "message": "File not found"}},
                status=404,
            )
        return web.Response(body=stored[0], content_type=stored[1])

    async def _send(self, request: web.Request) -> web.Response:
        body = self.recorded(request).json
        if not isinstance(body, dict) or not body.get("session") or not body.get("chatId"):
            return web.json_response(
                {
                    "statusCode": 400,
                    "message": ["chatId must be a string", "session must be a string"],
                },
                status=400,
            )
        session = self.sessions.get(body["session"])
        if session is None:
            return web.json_response(
                {"statusCode": 404, "message": "Session not found"}, status=404
            )
        if session.status != "WORKING":
            return self._wrong_state(session, ["WORKING"])
        if problem := _invalid(request.path, body):
            return web.json_response(
                {"statusCode": 400, "message": [problem], "error": "Bad Request"}, status=400
            )
        if request.path in ("/api/sendSeen", "/api/startTyping", "/api/stopTyping"):
            return web.json_response({}, status=201)
        self.sent.append({"path": request.path, **body})
        chat = body["chatId"]
        return web.json_response(
            {
                "id": f"true_{chat}_3EB0{next(self._ids):08X}{secrets.token_hex(4).upper()}",
                "timestamp": int(time.time()),
                "from": ME_ID,
                "fromMe": True,
                "source": "api",
                "to": chat,
                "body": body.get("text") or body.get("caption") or "",
                "hasMedia": "file" in body,
                "ack": 1,
                "ackName": "SERVER",
            },
            status=201,
        )

    async def _reaction(self, request: web.Request) -> web.Response:
        body = self.recorded(request).json or {}
        if not body.get("messageId") or "reaction" not in body or not body.get("session"):
            return web.json_response(
                {"statusCode": 400, "message": ["messageId must be a string"]}, status=400
            )
        return web.json_response({})


def _invalid(path: str, body: dict[str, Any]) -> str | None:
    """The request-shape rules of WAHA's OpenAPI (MessageTextRequest, …)."""
    if path == "/api/sendText" and not isinstance(body.get("text"), str):
        return "text must be a string"
    if path in _FILE_SENDS:
        file = body.get("file")
        if not isinstance(file, dict) or not file.get("mimetype"):
            return "file.mimetype must be a string"
        if not (file.get("url") or file.get("data")):
            return "file must have url or data"
        if file.get("data"):
            try:
                base64.b64decode(file["data"], validate=True)
            except ValueError:
                return "file.data must be base64"
        if path in ("/api/sendVoice", "/api/sendVideo") and not isinstance(
            body.get("convert"), bool
        ):
            return "convert must be a boolean"
    return None


class WahaWebhooks:
    """Builds WAHA webhook bodies and signs them like WAHA (HMAC-SHA512 of the raw body)."""

    def __init__(self, hmac_key: str = HMAC_KEY, *, session: str = SESSION) -> None:
        self.hmac_key = hmac_key
        self.session = session
        self._ids = itertools.count(1)

    def event(
        self, event: str, payload: dict[str, Any], *, timestamp_ms: int = 1760000000123
    ) -> dict[str, Any]:
        return {
            "id": f"evt_{next(self._ids):026d}",
            "timestamp": timestamp_ms,
            "event": event,
            "session": self.session,
            "metadata": {"tenant_id": "42"},
            "me": {"id": ME_ID, "lid": ME_LID, "pushName": "Loja X"},
            "engine": "GOWS",
            "environment": {
                "version": "2026.7.1",
                "engine": "GOWS",
                "tier": "CORE",
                "browser": None,
            },
            "payload": payload,
        }

    def message(
        self,
        chat: str,
        body: str = "",
        *,
        wa_id: str | None = None,
        participant: str | None = None,
        from_me: bool = False,
        push_name: str | None = "Ana",
        event: str = "message",
        **fields: Any,
    ) -> dict[str, Any]:
        wa_id = wa_id or f"3EB0{next(self._ids):012X}"
        message_id = f"{str(from_me).lower()}_{chat}_{wa_id}" + (
            f"_{participant}" if participant else ""
        )
        payload: dict[str, Any] = {
            "id": message_id,
            "timestamp": 1760000000,
            "from": ME_ID if from_me else chat,
            "fromMe": from_me,
            "source": "app" if from_me else None,
            "to": chat if from_me else ME_ID,
            "participant": participant,
            "body": body,
            "hasMedia": False,
            "media": None,
            "ack": 2,
            "ackName": "DEVICE",
            "vCards": [],
            "_data": {"Info": {"PushName": push_name}} if push_name else {},
            **fields,
        }
        return self.event(event, payload)

    def ack(self, message_id: str, ack: int, *, chat: str) -> dict[str, Any]:
        names = {-1: "ERROR", 0: "PENDING", 1: "SERVER", 2: "DEVICE", 3: "READ", 4: "PLAYED"}
        return self.event(
            "message.ack",
            {
                "id": message_id,
                "from": chat,
                "to": chat,
                "participant": None,
                "fromMe": message_id.startswith("true_"),
                "ack": ack,
                "ackName": names[ack],
                "_data": {},
            },
        )

    def presence(self, chat: str, state: str, *, participant: str | None = None) -> dict[str, Any]:
        """``presence.update`` (``WAHAChatPresences``): ``state`` is a ``WAHAPresenceStatus``
        (online, offline, typing, recording, paused)."""
        return self.event(
            "presence.update",
            {
                "id": chat,
                "presences": [
                    {
                        "participant": participant or chat,
                        "lastKnownPresence": state,
                        "lastSeen": None,
                    }
                ],
            },
        )

    def session_status(self, status: str, *, changed_at_ms: int = 1760000200700) -> dict[str, Any]:
        return self.event(
            "session.status",
            {
                "name": self.session,
                "status": status,
                "data": None,
                "statuses": [
                    {"status": "STARTING", "timestamp": changed_at_ms - 1000},
                    {"status": status, "timestamp": changed_at_ms},
                ],
            },
        )

    def delivery(
        self, payload: dict[str, Any] | bytes, *, key: str | None = None
    ) -> WebhookDelivery:
        body = (
            payload
            if isinstance(payload, bytes)
            else json.dumps(payload, ensure_ascii=False).encode()
        )
        signature = hmac.new((key or self.hmac_key).encode(), body, hashlib.sha512).hexdigest()
        return WebhookDelivery(
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "WAHA/2026.7.1",
                "X-Webhook-Request-Id": secrets.token_hex(13),
                "X-Webhook-Timestamp": str(int(time.time() * 1000)),
                "X-Webhook-Hmac": signature,
                "X-Webhook-Hmac-Algorithm": "sha512",
            },
        )
