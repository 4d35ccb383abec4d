from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.channels.base import ChannelAdapter
from nexus.channels.errors import ChannelError
from nexus.connections.adapters import adapter_of
from nexus.kit.jobs import jobs
from nexus.kit.models import utc_now
from nexus.messages.delivery import deliver
from nexus.messages.repository import MessageRepository
from nexus.models import Connection, Conversation
from nexus.realtime.repository import prune_events
from nexus.realtime.service import RESYNC_WINDOW, RETENTION

log = structlog.get_logger(__name__)


@jobs.task("realtime.prune_events", every_seconds=600)
async def prune_old_events() -> None:
    """Keep the resync window bounded: a day of events, at most RESYNC_WINDOW per company."""
    async with jobs.db().write() as session:
        await prune_events(
            session, older_than=utc_now() - RETENTION, keep_per_company=RESYNC_WINDOW
        )


@dataclass(frozen=True)
class _Customer:
    adapter: ChannelAdapter
    to: str
    message_ids: list[str]


async def _customer(
    session: AsyncSession, conversation_id: uuid.UUID, messages: int
) -> _Customer | None:
    """The customer's channel and address, and their latest ``messages`` provider ids."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.connection_id is None:
        return None
    connection = await session.get(Connection, conversation.connection_id)
    to = await deliver.address(session, conversation)
    if connection is None or not to:
        return None
    ids = await MessageRepository(session, conversation.company_id).latest_inbound_provider_ids(
        conversation.id, messages
    )
    return _Customer(adapter_of(connection), to, ids)


@jobs.task("realtime.customer_typing")
async def customer_typing(conversation_id: str) -> None:
    """An agent of the conversation is typing: show it to the customer where the channel
    can (the Cloud API indicator answers the customer's latest message)."""
    async with jobs.db().read() as session:
        customer = await _customer(session, uuid.UUID(conversation_id), 1)
    if customer is None or not customer.adapter.capabilities.typing:
        return
    try:
        await customer.adapter.send_typing(
            customer.to, message_id=customer.message_ids[-1] if customer.message_ids else None
        )
    except ChannelError as error:  # a courtesy: nobody waits for it, nothing to retry
        log.info("customer_typing_refused", conversation_id=conversation_id, error=str(error))


@jobs.task("realtime.customer_read")
async def customer_read(conversation_id: str, count: int) -> None:
    """An agent read the conversation: send read receipts for the customer's latest
    ``count`` messages where the channel has them."""
    async with jobs.db().read() as session:
        customer = await _customer(session, uuid.UUID(conversation_id), count)
    if customer is None or not customer.message_ids:
        return
    if not customer.adapter.capabilities.read_receipts:
        return
    try:
        await customer.adapter.mark_read(customer.to, customer.message_ids)
    except ChannelError as error:  # blue ticks are a courtesy; the agent's read stands
        log.info("customer_read_refused", conversation_id=conversation_id, error=str(error))
