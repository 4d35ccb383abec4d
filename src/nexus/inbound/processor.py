"""Applies one stored inbound event: the heart of the inbound pipeline (M1, M3, M4, T1).

A customer message finds (or creates) its contact, finds the open conversation of that chat
or opens a new one (or reopens a recent one, within the company's reopen window), is stored
once (unique on connection + provider message id), and feeds the bot while the
conversation is with the bot. Receipts advance statuses and never move them back. Session
events update the connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.bot.service import bot_service
from nexus.channels.events import (
    ConnectionStateChanged,
    Event,
    InboundMessage,
    MessageEdited,
    MessageRevoked,
    ProviderNotice,
    QrCodeUpdated,
    StatusUpdate,
)
from nexus.channels.outbound import QrCode
from nexus.companies.service import company_service
from nexus.connections import states
from nexus.connections.qr import qr_data_url
from nexus.conversations.repository import OPEN_STATUSES, ConversationRepository
from nexus.conversations.service import conversation_service
from nexus.inbound.identity import Identity, Sender, prefetch_contacts, resolve_contact
from nexus.kit.db import (
    insert_ignoring_duplicates,
    transaction_memo,
)
from nexus.kit.jobs import jobs
from nexus.kit.models import utc_now
from nexus.messages.outbound import preview_of
from nexus.messages.status import advance_clause
from nexus.models import (
    Company,
    Connection,
    ConnectionStatus,
    Contact,
    Conversation,
    ConversationStatus,
    Message,
    MessageDirection,
    MessageStatus,
)
from nexus.realtime.conversation_events import (
    publish_message,
    publish_message_status,
    publish_message_updated,
)

log = structlog.get_logger(__name__)


class ReceiptBeforeMessage(Exception):
    """A receipt for a message whose send is not recorded yet (the provider answered the
    webhook faster than our send job committed). The inbox retries it shortly."""


class InboundProcessor:
    async def apply(self, session: AsyncSession, connection: Connection, event: Event) -> None:
        if isinstance(event, InboundMessage):
            await self.on_message(session, connection, event)
        elif isinstance(event, StatusUpdate):
            await self.on_status(session, connection, event)
        elif isinstance(event, MessageEdited | MessageRevoked):
            await self.on_change(session, connection, event)
        elif isinstance(event, ConnectionStateChanged):
            states.provider_reported(
                session, connection, event.status, event.reason, phone=event.phone
            )
        elif isinstance(event, QrCodeUpdated):
            states.provider_reported(
                session,
                connection,
                ConnectionStatus.qr,
                "waiting for the QR scan",
                qr_code=qr_data_url(QrCode(event.qr, event.image_data_url, event.pairing_code)),
            )
        elif isinstance(event, ProviderNotice):
            log.warning(
                "provider_notice",
                connection_id=str(connection.id),
                code=event.code,
                message=event.message,
            )
            connection.status_reason = f"{event.code or ''} {event.message}".strip()

    async def prefetch(
        self, session: AsyncSession, batch: Sequence[tuple[Connection, Event]]
    ) -> None:
        """Read for a batch's customer messages, a few statements in all, what each would look
        up on its own: whether the message is stored already, its sender's contact and the
        open conversation. What is found is remembered for the transaction
        (``kit/db.transaction_memo``); the rest takes the usual path. On PostgreSQL the
        contacts and conversations are locked until the transaction ends, so what is
        remembered stays true (an agent's resolve waits for the batch)."""
        messages = [
            (connection, event) for connection, event in batch if isinstance(event, InboundMessage)
        ]
        if not messages:
            return
        # Only customers' messages are vouched for: the echo of our own send may be recorded
        # by the send job meanwhile.
        offered = {
            (connection.id, event.provider_message_id)
            for connection, event in messages
            if not event.from_me
        }
        if offered:
            stored = await session.execute(
                select(Message.connection_id, Message.provider_message_id).where(
                    Message.connection_id.in_({connection_id for connection_id, _ in offered}),
                    Message.provider_message_id.in_({message_id for _, message_id in offered}),
                )
            )
            absent: dict[tuple[uuid.UUID, str], bool]
            absent = transaction_memo(session, "absent_messages")
            known = {(connection_id, message_id) for connection_id, message_id in stored}
            absent.update(dict.fromkeys(offered - known, True))
        senders = {_sender(connection, event): connection for connection, event in messages}
        contacts: dict[Sender, Contact] = transaction_memo(session, "resolved_contacts")
        # An earlier batch of this transaction may have found them: what it remembers stands
        # until the transaction ends (``resolve_contact`` checks for a merge).
        await prefetch_contacts(session, [sender for sender in senders if sender not in contacts])
        open_conversations: dict[tuple[uuid.UUID, uuid.UUID], Conversation]
        open_conversations = transaction_memo(session, "open_conversations")
        wanted: dict[tuple[uuid.UUID, uuid.UUID], set[uuid.UUID]] = {}
        for sender, connection in senders.items():
            contact = contacts.get(sender)
            if contact is not None and (contact.id, connection.id) not in open_conversations:
                wanted.setdefault((connection.company_id, connection.id), set()).add(contact.id)
        for (company_id, connection_id), contact_ids in wanted.items():
            found = await ConversationRepository(session, company_id).open_for_contacts(
                contact_ids, connection_id, for_update=True
            )
            for contact_id, conversation in found.items():
                open_conversations.setdefault((contact_id, connection_id), conversation)

    # -- messages -----------------------------------------------------------------------

    async def on_message(
        self, session: AsyncSession, connection: Connection, event: InboundMessage
    ) -> None:
        new = self._vouched_new(session, connection, event.provider_message_id)
        if not new and await self._known(session, connection, event.provider_message_id):
            return  # a redelivery, or the echo of our own send
        sender = _sender(connection, event)
        contact = await resolve_contact(
            session,
            sender.company_id,
            sender.identities,
            phone=sender.phone,
            name=sender.name,
            is_group=sender.is_group,
        )
        if event.from_me:
            if await self._send_in_flight(session, connection):
                # Maybe the echo of a send whose provider id is not recorded yet: wait for
                # it rather than store the same message twice.
                raise ReceiptBeforeMessage(event.provider_message_id)
            # Typed on the phone itself: part of the history, never fed to the bot.
            conversation = await ConversationRepository(
                session, connection.company_id
            ).open_for_contact(contact.id, connection.id)
            if conversation is not None:
                typed = await self._store(
                    session, connection, conversation, event, MessageDirection.outbound, new=False
                )
                if typed is not None:
                    await publish_message(session, conversation, typed)
            return
        conversation, is_new = await self._conversation_for(session, connection, contact.id, event)
        message = await self._store(
            session, connection, conversation, event, MessageDirection.inbound, new=new
        )
        if message is None:
            return
        conversation.last_inbound_at = max(
            filter(None, (conversation.last_inbound_at, event.timestamp))
        )
        conversation.unread_count += 1
        if event.reaction is not None:
            await self._react(session, connection, event)
        # Before the bot answers, so that agents see the question before the reply.
        await publish_message(session, conversation, message)
        if event.media is not None:
            jobs.enqueue(session, "media.download", message_id=str(message.id))
        if conversation.status is ConversationStatus.bot and event.reaction is None:
            answer = event.interactive_reply.id if event.interactive_reply else event.text or ""
            if is_new:
                answer = ""  # the first message of a conversation gets the greeting
            await bot_service.on_customer_message(session, conversation, answer)

    def _vouched_new(
        self, session: AsyncSession, connection: Connection, provider_message_id: str
    ) -> bool:
        """Whether the batch's prefetch found the message not stored yet. Once: the event
        now stores it, and a second delivery of it in the same batch looks it up."""
        absent: dict[tuple[uuid.UUID, str], bool] = transaction_memo(session, "absent_messages")
        return absent.pop((connection.id, provider_message_id), False)

    async def _known(
        self, session: AsyncSession, connection: Connection, provider_message_id: str
    ) -> bool:
        row = await session.execute(
            select(Message.id).where(
                Message.connection_id == connection.id,
                Message.provider_message_id == provider_message_id,
            )
        )
        return row.first() is not None

    async def _send_in_flight(self, session: AsyncSession, connection: Connection) -> bool:
        row = await session.execute(
            select(Message.id)
            .where(Message.connection_id == connection.id, Message.status == MessageStatus.sending)
            .limit(1)
        )
        return row.first() is not None

    async def _conversation_for(
        self,
        session: AsyncSession,
        connection: Connection,
        contact_id: uuid.UUID,
        event: InboundMessage,
    ) -> tuple[Conversation, bool]:
        repository = ConversationRepository(session, connection.company_id)
        # A run of a chat's events lands in the same conversation while it stays open.
        memo: dict[tuple[uuid.UUID, uuid.UUID], Conversation]
        memo = transaction_memo(session, "open_conversations")
        conversation = memo.get((contact_id, connection.id))
        if (
            conversation is None
            or conversation.status not in OPEN_STATUSES
            or conversation.contact_id != contact_id
        ):
            # Locked, as the prefetch locks it: it is remembered for the transaction.
            conversation = await repository.open_for_contact(
                contact_id, connection.id, for_update=True
            )
        if conversation is not None:
            memo[(contact_id, connection.id)] = conversation
            conversation.chat_id = event.chat_id  # the latest address wins (LID migration)
            return conversation, False
        company = await session.get(Company, connection.company_id)
        assert company is not None
        window = company_service.settings_of(company).conversations.reopen_window_minutes
        last = await repository.last_closed_for_contact(contact_id)
        if (
            window
            and last is not None
            and last.connection_id == connection.id
            and last.status is ConversationStatus.resolved
            and last.resolved_at is not None
            and utc_now() - last.resolved_at <= timedelta(minutes=window)
        ):
            last.chat_id = event.chat_id
            await conversation_service.reopen_to_last_agent(session, last, actor_id=None)
            return last, False
        conversation = await conversation_service.open(
            session,
            company_id=connection.company_id,
            contact_id=contact_id,
            connection_id=connection.id,
            is_group=event.is_group,
        )
        conversation.chat_id = event.chat_id
        return conversation, True

    async def _store(
        self,
        session: AsyncSession,
        connection: Connection,
        conversation: Conversation,
        event: InboundMessage,
        direction: MessageDirection,
        *,
        new: bool,
    ) -> Message | None:
        """Store the message, or return None when it is stored already. ``new``: the batch's
        prefetch found it not stored, and its chat is this transaction's alone, so it is
        added to the session and inserted with the batch's other messages at the next flush
        (``inbound/tasks.py`` flushes before marking the batch processed)."""
        payload: dict[str, Any] = {}
        if event.location is not None:
            payload["location"] = event.location.model_dump(mode="json")
        if event.contacts:
            payload["contacts"] = [c.model_dump(mode="json") for c in event.contacts]
        if event.reaction is not None:
            payload["reaction"] = event.reaction.model_dump(mode="json")
        if event.interactive_reply is not None:
            payload["interactive_reply"] = event.interactive_reply.model_dump(mode="json")
        if event.participant is not None:
            payload["participant"] = event.participant.model_dump(mode="json")
        if event.forwarded:
            payload["forwarded"] = True
        reply_to_id = None
        if event.reply_to:
            reply_to_id = (
                await session.execute(
                    select(Message.id).where(
                        Message.connection_id == connection.id,
                        Message.provider_message_id == event.reply_to,
                    )
                )
            ).scalar_one_or_none()
        now = utc_now()
        row: dict[str, Any] = {
            "id": uuid.uuid4(),
            "company_id": connection.company_id,
            "conversation_id": conversation.id,
            "contact_id": conversation.contact_id,
            "connection_id": connection.id,
            "direction": direction,
            "type": event.type,
            "content": event.text,
            "media": (
                {"descriptor": event.media.model_dump(mode="json"), "state": "downloading"}
                if event.media
                else None
            ),
            "payload": payload,
            "status": (
                MessageStatus.received
                if direction is MessageDirection.inbound
                else MessageStatus.sent
            ),
            "provider_message_id": event.provider_message_id,
            "reply_to_id": reply_to_id,
            "reply_to_provider_id": event.reply_to,
            "provider_timestamp": event.timestamp,
            "is_bot": False,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        if new:
            message = Message(**row)
            session.add(message)
        else:
            inserted = await insert_ignoring_duplicates(
                session, Message, [row], ["connection_id", "provider_message_id"]
            )
            if not inserted:
                return None
            message = inserted[0]
        conversation.last_message_at = now
        conversation.last_message_preview = preview_of(message)
        return message

    async def _react(
        self, session: AsyncSession, connection: Connection, event: InboundMessage
    ) -> None:
        assert event.reaction is not None
        target = (
            await session.execute(
                select(Message).where(
                    Message.connection_id == connection.id,
                    Message.provider_message_id == event.reaction.target_message_id,
                )
            )
        ).scalar_one_or_none()
        if target is None:
            return
        reactions = dict(target.payload.get("reactions", {}))
        if event.reaction.emoji:
            reactions["customer"] = event.reaction.emoji
        else:
            reactions.pop("customer", None)
        target.payload = {**target.payload, "reactions": reactions}
        await publish_message_updated(session, target, ["reactions"])

    async def on_change(
        self, session: AsyncSession, connection: Connection, event: MessageEdited | MessageRevoked
    ) -> None:
        target = (
            await session.execute(
                select(Message).where(
                    Message.connection_id == connection.id,
                    Message.provider_message_id == event.target_message_id,
                )
            )
        ).scalar_one_or_none()
        if target is None:
            return
        if isinstance(event, MessageEdited):
            history = [*target.payload.get("edits", []), target.content]
            target.payload = {**target.payload, "edits": history}
            target.content = event.text
            await publish_message_updated(session, target, ["content"])
        else:
            target.payload = {
                **target.payload,
                "revoked": True,
                "revoked_at": event.timestamp.isoformat(),
            }
            await publish_message_updated(session, target, ["revoked"])

    # -- receipts -----------------------------------------------------------------------

    async def _fill_late_time(
        self, session: AsyncSession, connection: Connection, event: StatusUpdate
    ) -> None:
        """A receipt that arrives after a later one (delivered after read) no longer moves
        the status, but its time is still the message's delivery time."""
        column = _RECEIPT_TIMES.get(event.status)
        if column is None:
            return
        await session.execute(
            update(Message)
            .where(
                Message.connection_id == connection.id,
                Message.provider_message_id == event.provider_message_id,
                column.is_(None),
            )
            .values({column.key: event.timestamp})
            .execution_options(synchronize_session=False)
        )

    async def on_status(
        self, session: AsyncSession, connection: Connection, event: StatusUpdate
    ) -> None:
        values: dict[str, Any] = {"status": event.status}
        if event.status is MessageStatus.sent:
            values["sent_at"] = event.timestamp
        elif event.status is MessageStatus.delivered:
            values["delivered_at"] = event.timestamp
        elif event.status is MessageStatus.read:
            values["read_at"] = event.timestamp
        elif event.status is MessageStatus.failed:
            values["error_code"] = event.error_code
            values["error_message"] = (
                "The 24-hour window is closed: send an approved template."
                if event.window_closed
                else event.error_message
            )
        moved = (
            await session.execute(
                update(Message)
                .where(
                    Message.connection_id == connection.id,
                    Message.provider_message_id == event.provider_message_id,
                    advance_clause(event.status),
                )
                .values(**values)
                .returning(Message.id, Message.conversation_id)
                .execution_options(synchronize_session=False)
            )
        ).all()
        if not moved:
            if not await self._known(session, connection, event.provider_message_id):
                raise ReceiptBeforeMessage(event.provider_message_id)
            await self._fill_late_time(session, connection, event)
        for message_id, conversation_id in moved:
            await publish_message_status(
                session,
                conversation_id,
                message_id,
                event.status,
                error_code=values.get("error_code"),
                error_message=values.get("error_message"),
            )


_RECEIPT_TIMES = {
    MessageStatus.sent: Message.sent_at,
    MessageStatus.delivered: Message.delivered_at,
    MessageStatus.read: Message.read_at,
}


def _sender(connection: Connection, event: InboundMessage) -> Sender:
    party = event.contact
    return Sender(
        connection.company_id,
        tuple(Identity(kind, external_id) for kind, external_id in party.identities()),
        party.phone,
        party.name,
        event.is_group,
    )


inbound_processor = InboundProcessor()
