"""The Socket.IO gateway: who may connect, which rooms a socket joins, and the events a
client sends (docs/realtime.md).

A socket authenticates once, in ``connect``, with the access token in its ``auth`` payload;
its rooms are chosen then (``rooms_for``). Client events answer with an acknowledgement:
``{"ok": true, …}`` or ``{"ok": false, "error": {"code", "message", "details"}}`` — the
REST error shape. Every event that touches data re-reads the user, so an account
deactivated while its socket was open is refused (and disconnected) on its next event.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import socketio
import structlog
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.auth.dependencies import Principal, load_user_for_token
from nexus.conversations.repository import ConversationRepository
from nexus.conversations.visibility import viewer_for
from nexus.kit.db import Database
from nexus.kit.errors import Forbidden, NexusError, NotFound, Unauthorized
from nexus.kit.realtime import NAMESPACE, conversation_room
from nexus.messages.service import message_service
from nexus.models import User
from nexus.presence.service import presence_service
from nexus.realtime import customer_relay, service
from nexus.realtime.events import EventName, Typing
from nexus.realtime.schemas import ConversationRef, TypingSignal
from nexus.users.schemas import PresenceUpdate
from nexus.users.service import user_service

log = structlog.get_logger(__name__)

Body = TypeVar("Body", bound=BaseModel)
Ack = dict[str, Any]


@dataclass
class SocketUser:
    """What a socket's session remembers about its user between events."""

    user_id: uuid.UUID
    company_id: uuid.UUID
    name: str
    ip_address: str | None


class Gateway:
    def __init__(self, sio: socketio.AsyncServer, state: Any) -> None:
        # ``state`` is the FastAPI app's state: the database and settings are set on it by
        # the lifespan, after the handlers are registered.
        self.sio = sio
        self.state = state

    @property
    def database(self) -> Database:
        database: Database = self.state.database
        return database

    def register(self) -> None:
        self.sio.on("connect", self.connect, namespace=NAMESPACE)
        handlers: dict[str, Callable[[str, Any], Awaitable[Ack]]] = {
            "join-conversation": self._handler(ConversationRef, self.join_conversation),
            "leave-conversation": self._handler(ConversationRef, self.leave_conversation),
            "heartbeat": self._handler(None, self.heartbeat),
            EventName.agent_status.value: self._handler(PresenceUpdate, self.agent_status),
            EventName.typing.value: self._handler(TypingSignal, self.typing),
            "mark-read": self._handler(ConversationRef, self.mark_read),
        }
        for event, handler in handlers.items():
            self.sio.on(event, handler, namespace=NAMESPACE)

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            raise socketio.exceptions.ConnectionRefusedError(
                "unauthorized", {"code": "unauthorized"}
            )
        try:
            async with self.database.read() as session:
                user = await load_user_for_token(session, token, self.state.settings.secret_key)
                viewer = await viewer_for(session, user)
        except Unauthorized as exc:
            raise socketio.exceptions.ConnectionRefusedError(
                "unauthorized", {"code": exc.code}
            ) from exc
        except Exception as exc:  # refused now rather than left waiting for a timeout
            log.exception("socket_connect_failed")
            raise socketio.exceptions.ConnectionRefusedError(
                "unavailable", {"code": "unavailable"}
            ) from exc
        client = environ.get("asgi.scope", {}).get("client")
        socket_user = SocketUser(
            user_id=user.id,
            company_id=user.company_id,
            name=user.name,
            ip_address=client[0] if client else None,
        )
        await self.sio.save_session(sid, {"user": socket_user}, namespace=NAMESPACE)
        for room in service.rooms_for(viewer):
            await self.sio.enter_room(sid, room, namespace=NAMESPACE)

    # -- client events ----------------------------------------------------------------------

    async def join_conversation(self, sid: str, user: SocketUser, body: ConversationRef) -> Ack:
        async with self.database.read() as session:
            principal = await self._principal(session, user)
            viewer = await viewer_for(session, principal.user)
            conversation = await ConversationRepository(session, user.company_id).get_visible(
                viewer, body.conversation_id
            )
        if conversation is None:
            raise NotFound("Conversation not found.")
        await self.sio.enter_room(sid, conversation_room(conversation.id), namespace=NAMESPACE)
        return {"conversation_id": str(conversation.id)}

    async def leave_conversation(self, sid: str, user: SocketUser, body: ConversationRef) -> Ack:
        await self.sio.leave_room(sid, conversation_room(body.conversation_id), namespace=NAMESPACE)
        return {"conversation_id": str(body.conversation_id)}

    async def heartbeat(self, sid: str, user: SocketUser, _: None) -> Ack:
        async with self.database.write() as session:
            principal = await self._principal(session, user)
            await presence_service.heartbeat(session, principal.user)
            return {"status": principal.user.presence.value}

    async def agent_status(self, sid: str, user: SocketUser, body: PresenceUpdate) -> Ack:
        async with self.database.write() as session:
            principal = await self._principal(session, user)
            updated = await user_service.set_presence(session, principal, body.status)
            return {"status": updated.presence.value}

    async def typing(self, sid: str, user: SocketUser, body: TypingSignal) -> Ack:
        # The room, not a note kept at join time: a transfer that takes the conversation away
        # empties its room (conversation_events.publish_transition).
        if conversation_room(body.conversation_id) not in self.sio.rooms(sid, namespace=NAMESPACE):
            raise Forbidden("Join the conversation first.", code="not_joined")
        signal = Typing(
            conversation_id=body.conversation_id,
            sender="agent",
            user_id=user.user_id,
            name=user.name,
            is_typing=body.is_typing,
        )
        await self.sio.emit(
            EventName.typing.value,
            signal.model_dump(mode="json"),
            to=conversation_room(body.conversation_id),
            skip_sid=sid,
            namespace=NAMESPACE,
        )
        await customer_relay.agent_typing(body.conversation_id, is_typing=body.is_typing)
        return {}

    async def mark_read(self, sid: str, user: SocketUser, body: ConversationRef) -> Ack:
        async with self.database.write() as session:
            principal = await self._principal(session, user)
            conversation = await message_service.mark_read(session, principal, body.conversation_id)
            return {"conversation_id": str(conversation.id), "unread_count": 0}

    # -- plumbing ---------------------------------------------------------------------------

    async def _principal(self, session: AsyncSession, user: SocketUser) -> Principal:
        account = await session.get(User, user.user_id)
        if account is None or account.company_id != user.company_id or not account.is_active:
            raise Unauthorized("This account is not active.", code="inactive_account")
        return Principal(user=account, ip_address=user.ip_address)

    def _handler(
        self,
        body_model: type[Body] | None,
        action: Callable[[str, SocketUser, Any], Awaitable[Ack]],
    ) -> Callable[[str, Any], Awaitable[Ack]]:
        async def handle(sid: str, data: Any = None) -> Ack:
            session = await self.sio.get_session(sid, namespace=NAMESPACE)
            user: SocketUser = session["user"]
            structlog.contextvars.clear_contextvars()
            structlog.contextvars.bind_contextvars(
                company_id=str(user.company_id), user_id=str(user.user_id)
            )
            try:
                body = body_model.model_validate(data) if body_model is not None else None
                return {"ok": True, **(await action(sid, user, body))}
            except ValidationError as exc:
                details = exc.errors(include_url=False, include_context=False, include_input=False)
                return _error("validation_error", "Some fields are invalid.", details)
            except Unauthorized as exc:
                # The account was deactivated (or left the company) while connected.
                self.sio.start_background_task(self.sio.disconnect, sid, namespace=NAMESPACE)
                return _error(exc.code, exc.message, exc.details)
            except NexusError as exc:
                return _error(exc.code, exc.message, exc.details)
            except Exception:
                log.exception("socket_event_failed")
                return _error("internal_error", "Something went wrong on our side.", None)

        return handle


def _error(code: str, message: str, details: Any) -> Ack:
    return {"ok": False, "error": {"code": code, "message": message, "details": details}}


def register_gateway(sio: socketio.AsyncServer, state: Any) -> None:
    Gateway(sio, state).register()
