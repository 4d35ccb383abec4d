from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select

from nexus.kit.repository import TenantRepository
from nexus.models import Contact, Conversation, Message, User


class SandboxRepository(TenantRepository[Message]):
    model = Message

    async def chat_changes(
        self,
        connection_id: uuid.UUID,
        phone: str,
        *,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[tuple[Message, str | None]]:
        """The chat's messages that reached the phone or came from it, in change order
        (``updated_at``, ``id``) after the ``after`` key, with the agent's name of agent
        messages. Company messages without a provider id never reached the phone."""
        conversations = (
            select(Conversation.id)
            .join(Contact, Contact.id == Conversation.contact_id)
            .where(
                Conversation.company_id == self.company_id,
                Conversation.connection_id == connection_id,
                or_(Conversation.chat_id == phone, Contact.phone == phone),
            )
        )
        statement = (
            select(Message, User.name)
            .outerjoin(User, and_(User.id == Message.sender_id, Message.is_bot.is_(False)))
            .where(
                Message.company_id == self.company_id,
                Message.conversation_id.in_(conversations),
                Message.provider_message_id.is_not(None),
            )
        )
        if after is not None:
            at, id = after
            statement = statement.where(
                or_(Message.updated_at > at, and_(Message.updated_at == at, Message.id > id))
            )
        statement = statement.order_by(Message.updated_at, Message.id).limit(limit + 1)
        rows = await self.session.execute(statement)
        return [(message, name) for message, name in rows]

    async def by_provider_id(self, connection_id: uuid.UUID, provider_id: str) -> Message | None:
        return await self.one_or_none(
            self.base_statement().where(
                Message.connection_id == connection_id,
                Message.provider_message_id == provider_id,
            )
        )
