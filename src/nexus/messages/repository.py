from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, or_, select

from nexus.kit.repository import TenantRepository
from nexus.kit.search import message_match
from nexus.models import Contact, Conversation, Message, MessageDirection

S = TypeVar("S", bound=Select[Any])


class MessageRepository(TenantRepository[Message]):
    model = Message
    not_found_message = "Message not found."

    async def history(
        self,
        conversation_ids: Sequence[uuid.UUID],
        *,
        limit: int,
        before: tuple[datetime, uuid.UUID] | None,
    ) -> Sequence[Message]:
        """Newest first, for infinite scroll back through a conversation (or a contact's
        whole history across conversations)."""
        statement = self.base_statement().where(Message.conversation_id.in_(conversation_ids))
        statement = _older_than(statement, before).order_by(
            Message.created_at.desc(), Message.id.desc()
        )
        return await self.all(statement.limit(limit + 1))

    async def search(
        self,
        query: str,
        visible: Select[Conversation],
        *,
        conversation_id: uuid.UUID | None,
        limit: int,
        before: tuple[datetime, uuid.UUID] | None,
    ) -> list[tuple[Message, Contact]]:
        """Messages matching ``query`` in conversations of the ``visible`` statement, newest
        first, each with its conversation's contact; ``limit + 1`` rows (cursor pages)."""
        statement = (
            self.base_statement()
            .add_columns(Contact)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .join(
                Contact,
                and_(Contact.id == Conversation.contact_id, Contact.company_id == self.company_id),
            )
            .where(
                message_match(self.session, query),
                Message.conversation_id.in_(visible.with_only_columns(Conversation.id)),
            )
        )
        if conversation_id is not None:
            statement = statement.where(Message.conversation_id == conversation_id)
        statement = _older_than(statement, before).order_by(
            Message.created_at.desc(), Message.id.desc()
        )
        rows = await self.session.execute(statement.limit(limit + 1))
        return [(message, contact) for message, contact in rows]

    async def by_idempotency_key(self, conversation_id: uuid.UUID, key: str) -> Message | None:
        return await self.one_or_none(
            self.base_statement().where(
                Message.conversation_id == conversation_id, Message.idempotency_key == key
            )
        )

    async def latest_inbound_provider_ids(
        self, conversation_id: uuid.UUID, limit: int
    ) -> list[str]:
        """The provider ids of the customer's latest messages, oldest first (read receipts
        and the Cloud API typing indicator address them)."""
        rows = await self.session.execute(
            select(Message.provider_message_id)
            .where(
                Message.company_id == self.company_id,
                Message.conversation_id == conversation_id,
                Message.direction == MessageDirection.inbound,
                Message.provider_message_id.is_not(None),
            )
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(limit)
        )
        return [provider_id for provider_id in rows.scalars() if provider_id][::-1]


def _older_than(statement: S, before: tuple[datetime, uuid.UUID] | None) -> S:
    """Keyset condition: the rows after ``before`` in newest-first order."""
    if before is None:
        return statement
    at, id = before
    return statement.where(
        or_(Message.created_at < at, and_(Message.created_at == at, Message.id < id))
    )
