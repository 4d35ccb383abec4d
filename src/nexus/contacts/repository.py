from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select

from nexus.kit.repository import TenantRepository
from nexus.models import Contact, ContactTag, Conversation


class ContactRepository(TenantRepository[Contact]):
    model = Contact
    not_found_message = "Contact not found."

    async def search(
        self, *, search: str | None, limit: int, before: tuple[datetime, uuid.UUID] | None
    ) -> Sequence[Contact]:
        """Newest first, ``limit + 1`` rows; merged-away records are history, not contacts."""
        statement = self.base_statement().where(Contact.merged_into_id.is_(None))
        if search:
            text = search.lower()
            matches = [
                func.lower(Contact.name).contains(text, autoescape=True),
                func.lower(Contact.email).contains(text, autoescape=True),
            ]
            # Numbers are stored as "+5511987654321": "(11) 98765" should still find one.
            if digits := re.sub(r"\D", "", search):
                matches.append(Contact.phone.contains(digits, autoescape=True))
            statement = statement.where(or_(*matches))
        if before is not None:
            at, id = before
            statement = statement.where(
                or_(Contact.created_at < at, and_(Contact.created_at == at, Contact.id < id))
            )
        statement = statement.order_by(Contact.created_at.desc(), Contact.id.desc())
        return await self.all(statement.limit(limit + 1))

    async def ensure_phone_free(self, phone: str, *, exclude_id: uuid.UUID | None = None) -> None:
        await self.ensure_unique(
            "phone",
            Contact.phone == phone,
            message="Another contact already has this phone number.",
            exclude_id=exclude_id,
        )

    async def tag_ids_by_contact(
        self, contact_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
        result: dict[uuid.UUID, list[uuid.UUID]] = {id: [] for id in contact_ids}
        if not contact_ids:
            return result
        rows = await self.session.execute(
            select(ContactTag.contact_id, ContactTag.tag_id)
            .where(ContactTag.company_id == self.company_id, ContactTag.contact_id.in_(contact_ids))
            .order_by(ContactTag.created_at, ContactTag.tag_id)
        )
        for contact_id, tag_id in rows:
            result[contact_id].append(tag_id)
        return result

    async def set_tags(self, contact_id: uuid.UUID, tag_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(
            delete(ContactTag).where(
                ContactTag.company_id == self.company_id, ContactTag.contact_id == contact_id
            )
        )
        self.session.add_all(
            ContactTag(company_id=self.company_id, contact_id=contact_id, tag_id=tag_id)
            for tag_id in dict.fromkeys(tag_ids)
        )
        await self.session.flush()

    async def has_conversations(self, contact: Contact) -> bool:
        row = await self.session.execute(
            select(Conversation.id)
            .where(
                Conversation.company_id == self.company_id, Conversation.contact_id == contact.id
            )
            .limit(1)
        )
        return row.first() is not None
