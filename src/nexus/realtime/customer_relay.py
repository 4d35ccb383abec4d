"""Where an agent's typing and reading meet the customer's channel (M6).

The channel adapters own the providers (Cloud API read receipts and typing indicator, a
gateway's presence update, …), so the channels layer registers its relay here with
``set_customer_relay`` at start-up. Until one is registered, these signals reach the other
agents of the conversation but not the customer; nothing claims otherwise.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.models import Conversation


class CustomerRelay(Protocol):
    async def agent_typing(
        self, company_id: uuid.UUID, conversation_id: uuid.UUID, *, is_typing: bool
    ) -> None:
        """Show (or stop showing) "typing…" to the customer, where the channel can."""

    async def agent_read(self, session: AsyncSession, conversation: Conversation) -> None:
        """Send the read receipt for the customer's messages, in ``session``'s transaction
        (e.g. as a job enqueued after commit)."""


_relay: CustomerRelay | None = None


def set_customer_relay(relay: CustomerRelay | None) -> None:
    global _relay
    _relay = relay


def customer_relay() -> CustomerRelay | None:
    return _relay
