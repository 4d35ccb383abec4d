"""Socket.IO transport: the server, its client manager, room names, and emitting from any
process.

Embedded mode keeps sockets and rooms in this process (``socketio.AsyncManager``); its inbox
worker process relays what it emits to this one (``bind_relay``, ``kit/worker_process.py``).
Distributed mode shares them over Redis pub/sub (``AsyncRedisManager``): an event emitted on
any API process reaches the sockets of every API process, and workers emit through a
write-only manager. Pub/sub is fire-and-forget — whatever is published while a process is
not subscribed never reaches its sockets — so clients resync from the event log
(``GET /api/events``, see ``nexus.realtime``).

Only the websocket transport is offered: long-polling needs sticky sessions behind a load
balancer ("Session ID unknown" otherwise).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from typing import Any

import socketio
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.config import Settings
from nexus.kit.db import after_commit

log = structlog.get_logger(__name__)

NAMESPACE = "/"
# Every API process and worker of one installation must use the same channel.
CHANNEL = "nexus:realtime"
# A reserved event name: "disconnect every socket of this room", intercepted by the managers
# and never sent to a client.
_DISCONNECT_ROOM = "nexus:disconnect-room"

# python-socketio logs every connection and emit at INFO; its warnings and errors (a dead
# Redis subscription, a failed publish) are what operators need.
_socketio_logger = logging.getLogger("nexus.realtime.socketio")
_socketio_logger.setLevel(logging.WARNING)


def company_room(company_id: uuid.UUID) -> str:
    """Admins: everything that happens in the company."""
    return f"company:{company_id}"


def department_room(department_id: uuid.UUID) -> str:
    """The department's agents and supervisors: its queue and its team."""
    return f"department:{department_id}"


def user_room(user_id: uuid.UUID) -> str:
    """Every socket (tab, device) of one user."""
    return f"user:{user_id}"


def conversation_room(conversation_id: uuid.UUID) -> str:
    """The agents who have the conversation open (joined after a visibility check)."""
    return f"conversation:{conversation_id}"


class _RedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """Adds disconnecting every socket of a room on whichever API process holds it (a
    deactivated user's tabs may be anywhere). The request travels as an emit of a reserved
    event on the manager's own channel, so it shares the manager's reconnection handling;
    it is intercepted here, on the sending process and on every receiving one."""

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") == _DISCONNECT_ROOM:
            if self.server is not None:  # a worker's write-only manager has no sockets
                await _disconnect_local(self.server, message["room"])
            return
        await super()._handle_emit(message)


def _redis_manager(redis_url: str, *, write_only: bool) -> _RedisManager:
    # Named connections show up in CLIENT LIST per process, which is how an operator (or a
    # test) finds the subscription of one API process.
    name = f"nexus-realtime:{socket.gethostname()}:{os.getpid()}"
    return _RedisManager(
        redis_url,
        channel=CHANNEL,
        write_only=write_only,
        logger=_socketio_logger,
        redis_options={"client_name": name},
    )


def create_server(settings: Settings) -> socketio.AsyncServer:
    manager = (
        _redis_manager(settings.redis_url, write_only=False)
        if settings.redis_url
        else socketio.AsyncManager()
    )
    # Without configured origins only the app's own origin may open a socket; with them,
    # those origins and the public URL.
    origins = [*settings.cors_origins, settings.public_url] if settings.cors_origins else None
    return socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        transports=["websocket"],
        cors_allowed_origins=origins,
        logger=_socketio_logger,
        engineio_logger=False,
        # Client events are small JSON objects; nothing large travels up the socket.
        max_http_buffer_size=64 * 1024,
    )


class _Relay:
    """The inbox worker's manager: each call goes, as a JSON-able list, to the front process,
    which makes it on its sockets (``Realtime.apply_relayed``)."""

    def __init__(self, send: Callable[[list[Any]], None]) -> None:
        self.send = send

    async def emit(
        self, event: str, data: Any, *, namespace: str, room: list[str], skip_sid: str | None
    ) -> None:
        self.send(["emit", event, data, room, skip_sid])

    async def close_room(self, room: str, *, namespace: str) -> None:
        self.send(["close_room", room])


async def _disconnect_local(server: socketio.AsyncServer, room: str) -> None:
    sids = [sid for sid, _ in server.manager.get_participants(NAMESPACE, room)]
    for sid in sids:
        await server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)


class Realtime:
    """This process's way to reach sockets: the Socket.IO server of an API process, or a
    write-only Redis manager in a worker. Bound at start-up, like the job registry."""

    def __init__(self) -> None:
        self._server: socketio.AsyncServer | None = None
        self._manager: Any = None

    def bind_server(self, server: socketio.AsyncServer) -> None:
        self._server = server
        self._manager = server.manager

    def bind_writer(self, redis_url: str) -> None:
        """Workers: emit over Redis to the API processes' sockets."""
        self._server = None
        self._manager = _redis_manager(redis_url, write_only=True)

    def bind_relay(self, send: Callable[[list[Any]], None]) -> None:
        """The inbox worker process: emit through the front process's sockets."""
        self._server = None
        self._manager = _Relay(send)

    async def apply_relayed(self, call: list[Any]) -> None:
        """The front process: make a call the inbox worker relayed (``bind_relay``)."""
        match call:
            case ["emit", str(event), data, list(rooms), skip_sid]:
                await self.emit(event, data, rooms, skip_sid=skip_sid)
            case ["close_room", str(room)]:
                await self.close_room(room)
            case ["disconnect_user", str(user_id)]:
                await self.disconnect_user(uuid.UUID(user_id))
            case _:
                log.warning("realtime_relay_unknown_call", call=repr(call)[:200])

    async def release(self) -> None:
        """Stop the Redis subscription and close the connections of the bound manager."""
        manager, server = self._manager, self._server
        self._manager = self._server = None
        listener = getattr(manager, "thread", None)
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener
        redis = getattr(manager, "redis", None)
        if redis is not None:
            await redis.aclose()
        if server is not None:
            await server.shutdown()

    async def emit(
        self, event: str, data: Any, rooms: list[str], *, skip_sid: str | None = None
    ) -> None:
        """Send ``event`` to every socket in any of ``rooms`` (each socket once)."""
        if not rooms:
            return  # an empty room list would mean "everyone" to python-socketio
        if self._manager is None:
            # A command-line script: it holds no sockets and has no Redis to reach others;
            # logged events still reach clients through resync.
            return
        await self._manager.emit(event, data, namespace=NAMESPACE, room=rooms, skip_sid=skip_sid)

    async def close_room(self, room: str) -> None:
        """Take every socket out of ``room``, on every API process (they stay connected)."""
        if self._manager is not None:
            await self._manager.close_room(room, namespace=NAMESPACE)

    async def disconnect_user(self, user_id: uuid.UUID) -> None:
        room = user_room(user_id)
        if isinstance(self._manager, _RedisManager):
            await self._manager.emit(_DISCONNECT_ROOM, None, namespace=NAMESPACE, room=room)
        elif isinstance(self._manager, _Relay):
            self._manager.send(["disconnect_user", str(user_id)])
        elif self._server is not None:
            await _disconnect_local(self._server, room)


realtime = Realtime()


def disconnect_user_after_commit(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Close the user's sockets once ``session`` commits (deactivation, changed rooms)."""

    async def disconnect() -> None:
        try:
            await realtime.disconnect_user(user_id)
        except Exception:  # the gateway re-checks the account on the user's next socket call
            log.exception("realtime_disconnect_failed", user_id=str(user_id))

    after_commit(session, disconnect)
