from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, delete, func, or_, select

from nexus.conversations.visibility import Viewer, visible_clause
from nexus.kit.repository import TenantRepository
from nexus.models import (
    Contact,
    Conversation,
    ConversationEvent,
    ConversationStatus,
    ConversationTag,
    Note,
    Tag,
)

OPEN_STATUSES = (ConversationStatus.bot, ConversationStatus.waiting, ConversationStatus.assigned)


@dataclass(frozen=True)
class ConversationFilters:
    statuses: Sequence[ConversationStatus] = ()
    department_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    unassigned: bool = False
    tag_id: uuid.UUID | None = None
    connection_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    search: str | None = None
    unread: bool = False


class ConversationRepository(TenantRepository[Conversation]):
    model = Conversation
    not_found_message = "Conversation not found."

    def visible_statement(self, viewer: Viewer) -> Select[Conversation]:
        return self.base_statement().where(visible_clause(viewer))

    async def get_visible(self, viewer: Viewer, id: uuid.UUID) -> Conversation | None:
        return await self.one_or_none(self.visible_statement(viewer).where(Conversation.id == id))

    async def list_visible(
        self,
        viewer: Viewer,
        filters: ConversationFilters,
        *,
        limit: int,
        before: tuple[datetime, uuid.UUID] | None,
    ) -> Sequence[Conversation]:
        statement = self._filtered(self.visible_statement(viewer), filters)
        if before is not None:
            at, id = before
            statement = statement.where(
                or_(
                    Conversation.last_message_at < at,
                    and_(Conversation.last_message_at == at, Conversation.id < id),
                )
            )
        statement = statement.order_by(
            Conversation.last_message_at.desc(), Conversation.id.desc()
        ).limit(limit + 1)
        return await self.all(statement)

    async def queue(self, viewer: Viewer, department_id: uuid.UUID) -> Sequence[Conversation]:
        """Waiting conversations of a department in the order they will be assigned."""
        return await self.all(
            self.visible_statement(viewer)
            .where(
                Conversation.department_id == department_id,
                Conversation.status == ConversationStatus.waiting,
            )
            .order_by(Conversation.queued_at, Conversation.id)
            .limit(500)
        )

    async def count_visible(self, viewer: Viewer, filters: ConversationFilters) -> int:
        return await self.count(self._filtered(self.visible_statement(viewer), filters))

    def _filtered(
        self, statement: Select[Conversation], filters: ConversationFilters
    ) -> Select[Conversation]:
        if filters.statuses:
            statement = statement.where(Conversation.status.in_(filters.statuses))
        if filters.department_id:
            statement = statement.where(Conversation.department_id == filters.department_id)
        if filters.assignee_id:
            statement = statement.where(Conversation.assignee_id == filters.assignee_id)
        if filters.unassigned:
            statement = statement.where(Conversation.assignee_id.is_(None))
        if filters.connection_id:
            statement = statement.where(Conversation.connection_id == filters.connection_id)
        if filters.contact_id:
            statement = statement.where(Conversation.contact_id == filters.contact_id)
        if filters.unread:
            statement = statement.where(Conversation.unread_count > 0)
        if filters.tag_id:
            statement = statement.where(
                Conversation.id.in_(
                    select(ConversationTag.conversation_id).where(
                        ConversationTag.company_id == self.company_id,
                        ConversationTag.tag_id == filters.tag_id,
                    )
                )
            )
        if filters.search:
            pattern = f"%{filters.search.lower()}%"
            statement = statement.where(
                Conversation.contact_id.in_(
                    select(Contact.id).where(
                        Contact.company_id == self.company_id,
                        or_(func.lower(Contact.name).like(pattern), Contact.phone.like(pattern)),
                    )
                )
            )
        return statement

    async def open_for_contact(
        self, contact_id: uuid.UUID, connection_id: uuid.UUID | None, *, for_update: bool = False
    ) -> Conversation | None:
        statement = self.base_statement().where(
            Conversation.contact_id == contact_id,
            Conversation.connection_id == connection_id,
            Conversation.status.in_(OPEN_STATUSES),
        )
        statement = statement.order_by(Conversation.created_at.desc()).limit(1)
        if for_update:
            statement = statement.with_for_update()
        return await self.one_or_none(statement)

    async def open_for_contacts(
        self,
        contact_ids: Collection[uuid.UUID],
        connection_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> dict[uuid.UUID, Conversation]:
        """``open_for_contact`` of several contacts on one connection, in one statement."""
        statement = (
            self.base_statement()
            .where(
                Conversation.contact_id.in_(contact_ids),
                Conversation.connection_id == connection_id,
                Conversation.status.in_(OPEN_STATUSES),
            )
            .order_by(Conversation.created_at.desc())
        )
        if for_update:
            statement = statement.with_for_update()
        found: dict[uuid.UUID, Conversation] = {}
        for conversation in (await self.session.scalars(statement)).all():
            found.setdefault(conversation.contact_id, conversation)
        return found

    async def last_closed_for_contact(self, contact_id: uuid.UUID) -> Conversation | None:
        statement = (
            self.base_statement()
            .where(
                Conversation.contact_id == contact_id,
                Conversation.status.in_((ConversationStatus.resolved, ConversationStatus.archived)),
            )
            .order_by(Conversation.resolved_at.desc().nulls_last(), Conversation.created_at.desc())
            .limit(1)
        )
        return await self.one_or_none(statement)

    async def contacts_by_id(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Contact]:
        if not ids:
            return {}
        rows = await self.session.execute(
            select(Contact).where(Contact.company_id == self.company_id, Contact.id.in_(ids))
        )
        return {contact.id: contact for contact in rows.scalars()}

    async def tag_ids_by_conversation(
        self, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
        result: dict[uuid.UUID, list[uuid.UUID]] = {id: [] for id in ids}
        if not ids:
            return result
        rows = await self.session.execute(
            select(ConversationTag.conversation_id, ConversationTag.tag_id).where(
                ConversationTag.company_id == self.company_id,
                ConversationTag.conversation_id.in_(ids),
            )
        )
        for conversation_id, tag_id in rows:
            result[conversation_id].append(tag_id)
        return result

    async def set_tags(self, conversation_id: uuid.UUID, tag_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(
            delete(ConversationTag).where(
                ConversationTag.company_id == self.company_id,
                ConversationTag.conversation_id == conversation_id,
            )
        )
        for tag_id in dict.fromkeys(tag_ids):
            self.session.add(
                ConversationTag(
                    company_id=self.company_id, conversation_id=conversation_id, tag_id=tag_id
                )
            )
        await self.session.flush()

    async def existing_tag_ids(self, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        if not ids:
            return set()
        rows = await self.session.execute(
            select(Tag.id).where(Tag.company_id == self.company_id, Tag.id.in_(ids))
        )
        return set(rows.scalars())


class ConversationEventRepository(TenantRepository[ConversationEvent]):
    model = ConversationEvent

    async def for_conversation(self, conversation_id: uuid.UUID) -> Sequence[ConversationEvent]:
        return await self.all(
            self.base_statement()
            .where(ConversationEvent.conversation_id == conversation_id)
            .order_by(ConversationEvent.created_at, ConversationEvent.id)
        )


class NoteRepository(TenantRepository[Note]):
    model = Note

    async def for_conversation(self, conversation_id: uuid.UUID) -> Sequence[Note]:
        return await self.all(
            self.base_statement()
            .where(Note.conversation_id == conversation_id)
            .order_by(Note.created_at, Note.id)
        )
