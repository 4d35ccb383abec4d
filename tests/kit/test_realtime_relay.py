"""The inbox worker process's real-time calls reach the front process's sockets
(``kit/worker_process.py``, ``Realtime.bind_relay``)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from nexus.kit.realtime import Realtime


async def test_what_the_worker_emits_is_made_on_the_front_process_sockets() -> None:
    """The worker's real-time calls travel as JSON lines (kit/worker_process.py) and are made
    by the front process's ``Realtime`` as if its own code had made them."""
    lines: list[bytes] = []
    in_worker = Realtime()
    in_worker.bind_relay(lambda call: lines.append(json.dumps(call).encode()))
    await in_worker.emit("message-received", {"seq": 7}, ["company:1", "user:2"])
    await in_worker.close_room("conversation:3")
    await in_worker.disconnect_user(uuid.UUID(int=4))

    made: list[tuple[Any, ...]] = []
    in_front = Realtime()

    async def emit(event: str, data: Any, rooms: list[str], *, skip_sid: str | None = None) -> None:
        made.append(("emit", event, data, rooms, skip_sid))

    async def close_room(room: str) -> None:
        made.append(("close_room", room))

    async def disconnect_user(user_id: Any) -> None:
        made.append(("disconnect_user", user_id))

    in_front.emit = emit  # type: ignore[method-assign]
    in_front.close_room = close_room  # type: ignore[method-assign]
    in_front.disconnect_user = disconnect_user  # type: ignore[method-assign]
    for line in lines:
        await in_front.apply_relayed(json.loads(line))
    await in_front.apply_relayed(["unknown", 1])  # logged, not raised

    assert made == [
        ("emit", "message-received", {"seq": 7}, ["company:1", "user:2"], None),
        ("close_room", "conversation:3"),
        ("disconnect_user", uuid.UUID(int=4)),
    ]
