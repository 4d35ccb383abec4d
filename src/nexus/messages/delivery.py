"""Turns a claimed outbound message into the adapter call that delivers it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.channels.base import MEDIA_KINDS, ChannelAdapter
from nexus.channels.errors import ChannelConfigError, InvalidRequest
from nexus.channels.outbound import ListRow, ListSection, MediaBytes
from nexus.connections.adapters import adapter_of
from nexus.kit.jobs import jobs
from nexus.kit.storage import LocalStorage
from nexus.models import Connection, Contact, Conversation, Message, MessageType

Send = Callable[[], Awaitable[str]]
MENU_BUTTON_LABEL = "Opções"


class Delivery:
    async def prepare(self, session: AsyncSession, message_id: uuid.UUID) -> tuple[int, Send]:
        """Everything the provider call needs, read in one short read transaction."""
        message = await session.get(Message, message_id)
        assert message is not None
        conversation = await session.get(Conversation, message.conversation_id)
        connection = (
            await session.get(Connection, message.connection_id) if message.connection_id else None
        )
        if conversation is None or connection is None:
            return message.attempts, _fail(ChannelConfigError("the conversation has no channel"))
        adapter = adapter_of(connection)
        to = await self.address(session, conversation)
        if not to:
            return message.attempts, _fail(InvalidRequest("the customer has no address"))
        reply_to = None
        if message.reply_to_id is not None:
            reply_to = (
                await session.execute(
                    select(Message.provider_message_id).where(Message.id == message.reply_to_id)
                )
            ).scalar_one_or_none()
        storage = LocalStorage(jobs.runtime().settings.data_dir / "media")
        return message.attempts, self._call(adapter, storage, message, to, reply_to)

    async def address(self, session: AsyncSession, conversation: Conversation) -> str | None:
        """Where the customer is reached: the chat the provider named, else their phone."""
        if conversation.chat_id:
            return conversation.chat_id
        contact = await session.get(Contact, conversation.contact_id)
        return contact.phone if contact else None

    def _call(
        self,
        adapter: ChannelAdapter,
        storage: LocalStorage,
        message: Message,
        to: str,
        reply_to: str | None,
    ) -> Send:
        content = message.content or ""
        menu = message.payload.get("menu")
        media = message.media or {}

        async def send() -> str:
            if message.type is MessageType.template:
                result = await adapter.send_template(
                    to,
                    message.payload["name"],
                    message.payload.get("language", "pt_BR"),
                    message.payload.get("components", []),
                )
            elif message.type in MEDIA_KINDS:
                data = await storage.load(media["storage_key"])
                source = MediaBytes(data, media["mime_type"], media.get("filename"))
                result = await adapter.send_media(
                    to, message.type, source, caption=content or None, reply_to=reply_to
                )
            elif menu and adapter.capabilities.interactive_list:
                rows = [ListRow(id=item["id"], title=item["title"][:24]) for item in menu]
                result = await adapter.send_interactive_list(
                    to, content, MENU_BUTTON_LABEL, [ListSection(None, rows)], reply_to=reply_to
                )
            else:
                result = await adapter.send_text(to, content, reply_to=reply_to)
            return result.provider_message_id

        return send


def _fail(error: Exception) -> Send:
    async def send() -> str:
        raise error

    return send


deliver = Delivery()
