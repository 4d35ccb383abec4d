"""Fake Telegram Bot API (providers.md §4.1-4.5) and a builder of webhook updates carrying
the ``X-Telegram-Bot-Api-Secret-Token`` header."""

from __future__ import annotations

import itertools
import json
import secrets
import time
from typing import Any

from aiohttp import web

from tests.fakes.deliveries import WebhookDelivery
from tests.fakes.server import FakeProvider, Fault, Recorded

BOT_TOKEN = "123456789:TEST-bot-token_abc"
SECRET_TOKEN = "test-secret_token-1"
BOT_ID = 123456789
_MEDIA_METHODS = {
    "sendPhoto": "photo",
    "sendDocument": "document",
    "sendVoice": "voice",
    "sendAudio": "audio",
    "sendVideo": "video",
    "sendSticker": "sticker",
}


def failure(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


class FakeTelegram(FakeProvider):
    name = "telegram"

    def __init__(self, *, bot_token: str = BOT_TOKEN) -> None:
        self.bot_token = bot_token
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, data)
        self.blocked: set[int] = set()
        self.migrated: dict[int, int] = {}  # group → the supergroup it became
        self.webhook: dict[str, Any] = {}
        self.sent: list[dict[str, Any]] = []
        self._message_ids = itertools.count(5000)
        super().__init__()

    def rate_limit_next(self, retry_after: int = 7) -> None:
        self.fail_next(Fault("error", status=429, code=429, retry_after=retry_after))

    def error_response(self, fault: Fault) -> web.Response:
        if fault.status == 429:
            body = failure(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                retry_after=fault.retry_after,
            )
        else:
            body = failure(fault.status, fault.message)
        return web.json_response(body, status=fault.status)

    def add_file(self, data: bytes, file_path: str = "photos/file_12.jpg") -> str:
        file_id = "AgACAgQAAx" + secrets.token_hex(8)
        self.files[file_id] = (file_path, data)
        return file_id

    def params(self, record: Recorded) -> dict[str, Any]:
        """Parameters as the Bot API reads them: JSON, form fields or query string."""
        if isinstance(record.json, dict):
            return dict(record.json)
        return {**record.query, **record.form}

    # --- routes ----------------------------------------------------------------------

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/bot{token}/{method}", self._method)
        router.add_get("/file/bot{token}/{path:.+}", self._file)

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.bot_token:
            return web.json_response(failure(401, "Unauthorized"), status=401)
        method = request.match_info["method"]
        record = self.recorded(request)
        params = self.params(record)
        handler = getattr(self, f"_do_{method}", None)
        if handler is None:
            return web.json_response(failure(404, "Not Found: method not found"), status=404)
        result = handler(params, record)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.bot_token:
            return web.json_response(failure(401, "Unauthorized"), status=401)
        for path, data in self.files.values():
            if path == request.match_info["path"]:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.json_response(failure(404, "Not Found"), status=404)

    # --- methods ---------------------------------------------------------------------

    def _chat(self, params: dict[str, Any]) -> int | web.Response:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            return web.json_response(failure(400, "Bad Request: chat_id is empty"), status=400)
        if chat_id in self.migrated:
            return web.json_response(
                failure(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    migrate_to_chat_id=self.migrated[chat_id],
                ),
                status=400,
            )
        if chat_id in self.blocked:
            return web.json_response(
                failure(403, "Forbidden: bot was blocked by the user"), status=403
            )
        return chat_id

    def _message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Nexus", "username": "nexus_bot"},
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            **content,
        }
        self.sent.append(message)
        return message

    def _do_sendMessage(self, params: dict[str, Any], record: Recorded) -> Any:
        chat = self._chat(params)
        if isinstance(chat, web.Response):
            return chat
        if not params.get("text"):
            return web.json_response(failure(400, "Bad Request: message text is empty"), status=400)
        markup = params.get("reply_markup")
        return self._message(
            chat, text=params["text"], **({"reply_markup": markup} if markup else {})
        )

    def _send_media(self, method: str, params: dict[str, Any], record: Recorded) -> Any:
        chat = self._chat(params)
        if isinstance(chat, web.Response):
            return chat
        field = _MEDIA_METHODS[method]
        upload = record.files.get(field)
        reference = params.get(field)
        if upload is None and not (isinstance(reference, str) and reference):
            return web.json_response(
                failure(400, f"Bad Request: there is no {field} in the request"), status=400
            )
        file_id = self.add_file(upload.data if upload else b"", f"{field}s/file.bin")
        caption = params.get("caption")
        return self._message(
            chat,
            **{field: {"file_id": file_id, "file_unique_id": file_id[-8:]}},
            **({"caption": caption} if caption else {}),
        )

    def _do_sendPhoto(self, params: dict[str, Any], record: Recorded) -> Any:
        return self._send_media("sendPhoto", params, record)

    def _do_sendDocument(self, params: dict[str, Any], record: Recorded) -> Any:
        return self._send_media("sendDocument", params, record)

    def _do_sendVoice(self, params: dict[str, Any], record: Recorded) -> Any:
        return self._send_media("sendVoice", params, record)

    def _do_sendAudio(self, params: dict[str, Any], record: Recorded) -> Any:
        return self._send_media("sendAudio", params, record)

    def _do_sendVideo(self, params: dict[str, Any], record: Recorded) -> Any:
        return self._send_media("sendVideo", params, record)

    def _do_sendSticker(self, params: dict[str, Any], record: Recorded) -> Any:
        return self._send_media("sendSticker", params, record)

    def _do_sendChatAction(self, params: dict[str, Any], record: Recorded) -> Any:
        chat = self._chat(params)
        if isinstance(chat, web.Response):
            return chat
        if params.get("action") not in (
            "typing",
            "upload_photo",
            "record_voice",
            "upload_document",
        ):
            return web.json_response(
                failure(400, "Bad Request: wrong parameter action in request"), status=400
            )
        return True

    def _do_setMessageReaction(self, params: dict[str, Any], record: Recorded) -> Any:
        chat = self._chat(params)
        if isinstance(chat, web.Response):
            return chat
        if not isinstance(params.get("message_id"), int) or not isinstance(
            params.get("reaction"), list
        ):
            return web.json_response(
                failure(400, "Bad Request: message_id and reaction required"), status=400
            )
        return True

    def _do_answerCallbackQuery(self, params: dict[str, Any], record: Recorded) -> Any:
        if not params.get("callback_query_id"):
            return web.json_response(
                failure(400, "Bad Request: query is too old or query ID is invalid"), status=400
            )
        return True

    def _do_getFile(self, params: dict[str, Any], record: Recorded) -> Any:
        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            return web.json_response(failure(400, "Bad Request: invalid file_id"), status=400)
        path, data = stored
        return {
            "file_id": params["file_id"],
            "file_unique_id": "AQAD" + path[-4:],
            "file_size": len(data),
            "file_path": path,
        }

    def _do_setWebhook(self, params: dict[str, Any], record: Recorded) -> Any:
        url = params.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            return web.json_response(
                failure(400, "Bad Request: bad webhook: invalid URL"), status=400
            )
        self.webhook = {
            "url": url,
            "secret_token": params.get("secret_token"),
            "allowed_updates": params.get("allowed_updates"),
        }
        return True

    def _do_getWebhookInfo(self, params: dict[str, Any], record: Recorded) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }
        if self.webhook.get("last_error_message"):
            info |= {
                "last_error_date": int(time.time()),
                "last_error_message": self.webhook["last_error_message"],
            }
        return info


class TelegramUpdates:
    """Builds Telegram updates with increasing ``update_id`` and the secret header."""

    def __init__(
        self, secret_token: str = SECRET_TOKEN, *, first_update_id: int = 912345678
    ) -> None:
        self.secret_token = secret_token
        self._update_ids = itertools.count(first_update_id)
        self._message_ids = itertools.count(4021)

    @staticmethod
    def user(user_id: int = 555000111, first_name: str = "Ana", **extra: Any) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "username": "ana_s",
            "language_code": "pt-br",
            **extra,
        }

    def message(
        self,
        content: dict[str, Any],
        *,
        chat: dict[str, Any] | None = None,
        sender: dict[str, Any] | None = None,
        update_id: int | None = None,
    ) -> dict[str, Any]:
        sender = sender or self.user()
        chat = chat or {"id": sender["id"], "type": "private", "first_name": sender["first_name"]}
        return {
            "update_id": update_id if update_id is not None else next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": 1760000000,
                "from": sender,
                "chat": chat,
                **content,
            },
        }

    def text(self, text: str, **kwargs: Any) -> dict[str, Any]:
        return self.message({"text": text}, **kwargs)

    def callback(
        self, data: str, *, message: dict[str, Any], sender: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": "4382bfdwdsb323b2d9",
                "from": sender or self.user(),
                "message": message,
                "chat_instance": "-1234",
                "data": data,
            },
        }

    def delivery(
        self, update: dict[str, Any] | bytes, *, secret: str | None = None
    ) -> WebhookDelivery:
        body = (
            update if isinstance(update, bytes) else json.dumps(update, ensure_ascii=False).encode()
        )
        return WebhookDelivery(
            body=body,
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": secret or self.secret_token,
            },
        )
