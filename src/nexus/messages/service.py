"""Messages: the agent's sends (queued, then delivered by the ``messages.send`` job) and the
history of a conversation."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.auth.dependencies import Principal
from nexus.channels.mediatypes import kind_for_mime
from nexus.connections.adapters import adapter_of
from nexus.conversations.repository import OPEN_STATUSES, ConversationRepository
from nexus.conversations.service import conversation_service
from nexus.kit.errors import Conflict, NotFound, ValidationFailed
from nexus.kit.jobs import jobs
from nexus.kit.models import utc_now
from nexus.kit.storage import LocalStorage
from nexus.messages.outbound import queue_outbound
from nexus.messages.repository import MessageRepository
from nexus.messages.schemas import SendTemplate, Upload
from nexus.models import (
    ChannelKind,
    Connection,
    Contact,
    Conversation,
    Message,
    MessageDirection,
    MessageStatus,
    MessageType,
    UserRole,
)
from nexus.realtime import customer_relay
from nexus.realtime.conversation_events import (
    publish_conversation_updated,
    publish_message_status,
)
from nexus.sandbox.service import MediaFile

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)


class MessageService:
    async def _sendable(
        self,
        session: AsyncSession,
        principal: Principal,
        conversation_id: uuid.UUID,
        idempotency_key: str | None,
    ) -> tuple[Conversation, Message | None]:
        """The conversation an agent may answer now, and the message an identical earlier
        POST (same idempotency key) already created, if any."""
        conversation, _ = await conversation_service.get_visible(
            session, principal, conversation_id
        )
        if idempotency_key:
            existing = await MessageRepository(session, principal.company_id).by_idempotency_key(
                conversation.id, idempotency_key
            )
            if existing is not None:
                return conversation, existing  # the same POST again: no second message
        if conversation.status not in OPEN_STATUSES:
            raise Conflict(
                "This conversation is closed; reopen it to answer.", code="conversation_closed"
            )
        if principal.role is UserRole.agent and conversation.assignee_id != principal.id:
            raise Conflict("Take the conversation before answering it.", code="not_assigned")
        return conversation, None

    async def send_text(
        self,
        session: AsyncSession,
        principal: Principal,
        conversation_id: uuid.UUID,
        content: str,
        *,
        idempotency_key: str | None,
        reply_to_id: uuid.UUID | None,
    ) -> Message:
        conversation, existing = await self._sendable(
            session, principal, conversation_id, idempotency_key
        )
        if existing is not None:
            return existing
        await self.check_window(session, conversation)
        await self._check_reply_to(session, principal, reply_to_id)
        return await queue_outbound(
            session,
            conversation,
            type=MessageType.text,
            content=content,
            sender_id=principal.id,
            idempotency_key=idempotency_key,
            reply_to_id=reply_to_id,
        )

    async def send_media(
        self,
        session: AsyncSession,
        storage: LocalStorage,
        principal: Principal,
        conversation_id: uuid.UUID,
        upload: Upload,
        *,
        caption: str | None,
        idempotency_key: str | None,
        reply_to_id: uuid.UUID | None,
    ) -> Message:
        conversation, existing = await self._sendable(
            session, principal, conversation_id, idempotency_key
        )
        if existing is not None:
            return existing
        await self.check_window(session, conversation)
        await self._check_reply_to(session, principal, reply_to_id)
        connection = await self._connection(session, conversation)
        capabilities = adapter_of(connection).capabilities
        # Refused here rather than by the provider later, when the agent can still fix it.
        if caption and len(caption) > capabilities.max_caption_length:
            raise ValidationFailed.field(
                "caption",
                f"The caption is longer than {capabilities.max_caption_length} characters.",
                code="string_too_long",
            )
        kind = kind_for_mime(upload.mime_type, voice_if_ogg=True)
        limit = capabilities.media_limit(kind)
        if limit is None or not limit.accepts(upload.mime_type):
            raise ValidationFailed.field(
                "file",
                f"{connection.channel.value} cannot send {upload.mime_type} files.",
                code="unsupported_media",
            )
        if len(upload.data) > limit.max_bytes:
            raise ValidationFailed.field(
                "file",
                f"The file is larger than {limit.max_bytes // 1_048_576} MB, the "
                f"limit for {kind.value} on {connection.channel.value}.",
                code="file_too_large",
            )
        key = storage.key_for(principal.company_id, uuid.uuid4(), upload.filename)
        await storage.save(key, upload.data)
        media = {
            "storage_key": key,
            "mime_type": upload.mime_type,
            "filename": upload.filename,
            "size": len(upload.data),
            "state": "stored",
        }
        return await queue_outbound(
            session,
            conversation,
            type=kind,
            content=caption or None,
            media=media,
            sender_id=principal.id,
            idempotency_key=idempotency_key,
            reply_to_id=reply_to_id,
        )

    async def send_template(
        self,
        session: AsyncSession,
        principal: Principal,
        body: SendTemplate,
    ) -> Message:
        """An approved Cloud API template: the only thing allowed outside the 24-hour window."""
        conversation, existing = await self._sendable(
            session, principal, body.conversation_id, body.idempotency_key
        )
        if existing is not None:
            return existing
        connection = await self._connection(session, conversation)
        if not adapter_of(connection).capabilities.templates:
            raise ValidationFailed.field(
                "template_name",
                f"{connection.channel.value} has no message templates.",
                code="templates_unsupported",
            )
        return await queue_outbound(
            session,
            conversation,
            type=MessageType.template,
            content=body.preview or f"[template {body.template_name}]",
            payload={
                "name": body.template_name,
                "language": body.language,
                "components": body.components,
            },
            sender_id=principal.id,
            idempotency_key=body.idempotency_key,
        )

    async def _check_reply_to(
        self, session: AsyncSession, principal: Principal, reply_to_id: uuid.UUID | None
    ) -> None:
        repository = MessageRepository(session, principal.company_id)
        if reply_to_id is not None and await repository.get(reply_to_id) is None:
            raise ValidationFailed.field("reply_to_id", "Unknown message.", code="unknown_message")

    async def _connection(self, session: AsyncSession, conversation: Conversation) -> Connection:
        connection = (
            await session.get(Connection, conversation.connection_id)
            if conversation.connection_id
            else None
        )
        if connection is None:
            raise Conflict("This conversation has no channel to answer on.", code="no_channel")
        return connection

    async def check_window(self, session: AsyncSession, conversation: Conversation) -> None:
        """Cloud API only allows templates 24 h after the customer's last message (M7)."""
        connection = (
            await session.get(Connection, conversation.connection_id)
            if conversation.connection_id
            else None
        )
        if connection is None or connection.channel is not ChannelKind.cloud_api:
            return
        last = conversation.last_inbound_at
        if last is None or utc_now() - last >= CUSTOMER_SERVICE_WINDOW:
            raise Conflict(
                "The 24-hour customer service window is closed: only approved templates can "
                "be sent (POST /api/messages/send-template).",
                code="window_closed",
                details={"last_inbound_at": last.isoformat() if last else None},
            )

    async def search(
        self,
        session: AsyncSession,
        principal: Principal,
        query: str,
        *,
        conversation_id: uuid.UUID | None,
        limit: int,
        before: tuple[datetime, uuid.UUID] | None,
    ) -> list[tuple[Message, Contact]]:
        """Matching messages of the conversations the user may see, with their customers."""
        viewer = await conversation_service.viewer(session, principal)
        visible = ConversationRepository(session, principal.company_id).visible_statement(viewer)
        return await MessageRepository(session, principal.company_id).search(
            query, visible, conversation_id=conversation_id, limit=limit, before=before
        )

    async def visible_message(
        self, session: AsyncSession, principal: Principal, message_id: uuid.UUID
    ) -> Message:
        message = await MessageRepository(session, principal.company_id).get_or_404(message_id)
        await conversation_service.get_visible(session, principal, message.conversation_id)
        return message

    async def stored_media(
        self,
        session: AsyncSession,
        storage: LocalStorage,
        principal: Principal,
        message_id: uuid.UUID,
    ) -> MediaFile:
        """The file of a message the user may see, once it is in our storage (inbound media
        is downloaded in the background, so it may not be yet)."""
        message = await self.visible_message(session, principal, message_id)
        media = message.media or {}
        path = storage.path(media["storage_key"]) if media.get("storage_key") else None
        if path is None or not path.is_file():
            raise NotFound("This message has no stored file.", code="media_not_found")
        return MediaFile(
            path=path,
            mime_type=media.get("mime_type") or "application/octet-stream",
            filename=media.get("filename"),
        )

    async def resend(
        self, session: AsyncSession, principal: Principal, message_id: uuid.UUID
    ) -> Message:
        """An agent's explicit decision to try a failed (or uncertain) send again."""
        message = await MessageRepository(session, principal.company_id).get_or_404(
            message_id, for_update=True
        )
        conversation, _ = await conversation_service.get_visible(
            session, principal, message.conversation_id
        )
        if message.direction is not MessageDirection.outbound or message.status not in (
            MessageStatus.failed,
            MessageStatus.unknown,
        ):
            raise Conflict(
                "Only failed or uncertain sends can be sent again.", code="not_resendable"
            )
        await self.check_window(session, conversation)
        message.status = MessageStatus.pending
        message.error_code = None
        message.error_message = None
        message.attempts = 0
        message.next_attempt_at = utc_now()
        await session.flush()
        await publish_message_status(session, conversation.id, message.id, message.status)
        jobs.enqueue(session, "messages.send", message_id=str(message.id))
        return message

    async def history(
        self,
        session: AsyncSession,
        principal: Principal,
        conversation_id: uuid.UUID,
        *,
        limit: int,
        before: Any,
    ) -> list[Message]:
        conversation, _ = await conversation_service.get_visible(
            session, principal, conversation_id
        )
        rows = await MessageRepository(session, principal.company_id).history(
            [conversation.id], limit=limit, before=before
        )
        return list(rows)

    async def mark_read(
        self, session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
    ) -> Conversation:
        """The agent has read the conversation (REST or socket): its unread count drops to
        zero for everyone who sees it, and the customer's channel gets a read receipt where
        it has them."""
        conversation, _ = await conversation_service.get_visible(
            session, principal, conversation_id
        )
        unread = conversation.unread_count
        if unread:
            conversation.unread_count = 0
            await session.flush()
            await publish_conversation_updated(session, conversation, ["unread_count"])
            customer_relay.agent_read(session, conversation, unread)
        return conversation


message_service = MessageService()
