"""The customer's typing, relayed to the agents who have the conversation open (M6, the
customer's side; the agent's side is ``realtime/customer_relay.py``).

Typing is ephemeral: an indicator that arrives late means nothing, and a lost one is
repaired by the next signal or by the message that follows. So unlike the other inbound
events it is neither stored in the inbox nor handed to a job: the webhook request that
brought it, once the delivery is verified, finds the conversation and emits ``typing`` at
once. Nothing is logged either (no ``seq``), as for an agent's typing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.channels.events import CustomerTyping
from nexus.conversations.repository import ConversationRepository
from nexus.inbound.identity import Identity, known_contact
from nexus.kit.db import Database
from nexus.kit.realtime import conversation_room, realtime
from nexus.models import Connection
from nexus.realtime.events import EventName, Typing

log = structlog.get_logger(__name__)


async def relay_customer_typing(
    database: Database, connection: Connection, signals: Sequence[CustomerTyping]
) -> None:
    """Emit each signal as ``typing`` (``sender: "customer"``) to ``conversation:{id}`` of
    the chat's open conversation on this connection. Never raises: the provider's 200 does
    not depend on a courtesy."""
    if not signals:
        return
    try:
        async with database.read() as session:
            found = [
                (await _open_conversation(session, connection, signal), signal)
                for signal in signals
            ]
        for conversation_id, signal in found:
            if conversation_id is None:
                continue  # no open conversation: nobody is waiting for this customer
            typing = Typing(
                conversation_id=conversation_id,
                sender="customer",
                user_id=None,
                name=None,
                is_typing=signal.is_typing,
            )
            await realtime.emit(
                EventName.typing.value,
                typing.model_dump(mode="json"),
                [conversation_room(conversation_id)],
            )
    except Exception:
        log.exception("customer_typing_relay_failed", connection_id=str(connection.id))


async def _open_conversation(
    session: AsyncSession, connection: Connection, signal: CustomerTyping
) -> uuid.UUID | None:
    identities = [Identity(kind, external_id) for kind, external_id in signal.contact.identities()]
    contact_id = await known_contact(session, connection.company_id, identities)
    if contact_id is None:
        return None
    conversation = await ConversationRepository(session, connection.company_id).open_for_contact(
        contact_id, connection.id
    )
    return conversation.id if conversation is not None else None
