"""Where an agent's typing and reading meet the customer's channel (M6).

Both need a provider call, so both are jobs (``nexus.realtime.tasks``): the socket handler
never waits for a provider, and a provider that refuses (no such feature, a closed session)
is logged by the job, never an error of the agent's action. Channels without the feature
(``Capabilities.typing`` / ``read_receipts``) are skipped by the job.
"""

from __future__ import annotations

import time
import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.kit.jobs import jobs
from nexus.models import Conversation

log = structlog.get_logger(__name__)

# The providers' indicators last a few seconds to half a minute after one call (Cloud API
# 25 s, Telegram 5 s, Evolution the configured delay), and clients send `typing` on every
# few keystrokes: one provider call per conversation per interval is enough.
TYPING_INTERVAL_SECONDS = 5.0
# Read receipts address messages; more than this many unread ones are marked by the latest.
MAX_RECEIPTS = 20

_last_typing: dict[uuid.UUID, float] = {}
_MAX_REMEMBERED = 10_000


async def agent_typing(conversation_id: uuid.UUID, *, is_typing: bool) -> None:
    """Show "typing…" to the customer, at most once per interval per conversation (of this
    process). Stopping is left to the provider's own timeout: no adapter has a stop call."""
    if not is_typing:
        return
    now = time.monotonic()
    if now - _last_typing.get(conversation_id, -TYPING_INTERVAL_SECONDS) < TYPING_INTERVAL_SECONDS:
        return
    if len(_last_typing) >= _MAX_REMEMBERED:
        _last_typing.clear()
    _last_typing[conversation_id] = now
    try:
        await jobs.kick("realtime.customer_typing", conversation_id=str(conversation_id))
    except Exception:  # the indicator is a courtesy: the agent's typing goes on
        log.exception("customer_typing_kick_failed", conversation_id=str(conversation_id))


def agent_read(session: AsyncSession, conversation: Conversation, unread: int) -> None:
    """Send the read receipts of the ``unread`` latest customer messages once ``session``
    commits."""
    if conversation.connection_id is None or unread <= 0:
        return
    jobs.enqueue(
        session,
        "realtime.customer_read",
        conversation_id=str(conversation.id),
        count=min(unread, MAX_RECEIPTS),
    )
