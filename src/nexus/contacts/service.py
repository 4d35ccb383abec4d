"""Contacts (K1): the company's customers, their E.164 numbers, custom fields and tags."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.audit.service import audit
from nexus.auth.dependencies import Principal
from nexus.contacts.repository import ContactRepository
from nexus.contacts.schemas import ContactCreate, ContactRead, ContactUpdate
from nexus.kit.errors import Conflict, ValidationFailed
from nexus.models import Contact
from nexus.tags.repository import TagRepository


class ContactService:
    async def to_read_many(
        self, session: AsyncSession, company_id: uuid.UUID, contacts: Sequence[Contact]
    ) -> list[ContactRead]:
        tag_ids = await ContactRepository(session, company_id).tag_ids_by_contact(
            [contact.id for contact in contacts]
        )
        return [
            ContactRead.model_validate(contact).model_copy(update={"tag_ids": tag_ids[contact.id]})
            for contact in contacts
        ]

    async def to_read(self, session: AsyncSession, contact: Contact) -> ContactRead:
        return (await self.to_read_many(session, contact.company_id, [contact]))[0]

    async def create(
        self, session: AsyncSession, principal: Principal, body: ContactCreate
    ) -> Contact:
        repository = ContactRepository(session, principal.company_id)
        await repository.ensure_phone_free(body.phone)
        await self._check_tags(session, principal, body.tag_ids)
        contact = await repository.create(**body.model_dump(exclude={"tag_ids"}))
        await repository.set_tags(contact.id, body.tag_ids)
        await self._audit(session, principal, "contact.create", contact)
        return contact

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        contact_id: uuid.UUID,
        body: ContactUpdate,
    ) -> Contact:
        repository = ContactRepository(session, principal.company_id)
        contact = await repository.get_or_404(contact_id, for_update=True)
        changes = body.changes()
        fields = sorted(changes)
        if body.phone is not None:
            await repository.ensure_phone_free(body.phone, exclude_id=contact.id)
        if (tag_ids := changes.pop("tag_ids", None)) is not None:
            await self._check_tags(session, principal, tag_ids)
            await repository.set_tags(contact.id, tag_ids)
        for field, value in changes.items():
            setattr(contact, field, value)
        await session.flush()
        await self._audit(session, principal, "contact.update", contact, {"fields": fields})
        return contact

    async def delete(
        self, session: AsyncSession, principal: Principal, contact_id: uuid.UUID
    ) -> None:
        repository = ContactRepository(session, principal.company_id)
        contact = await repository.get_or_404(contact_id, for_update=True)
        # Deleting would cascade to the contact's conversations and messages: the history
        # that reports and the other agents rely on.
        if await repository.has_conversations(contact):
            raise Conflict(
                "This contact has conversations and cannot be deleted.",
                code="contact_has_conversations",
            )
        await self._audit(session, principal, "contact.delete", contact)
        await repository.delete(contact)

    async def _check_tags(
        self, session: AsyncSession, principal: Principal, tag_ids: Sequence[uuid.UUID]
    ) -> None:
        known = await TagRepository(session, principal.company_id).existing_ids(tag_ids)
        if set(tag_ids) - known:
            raise ValidationFailed.field("tag_ids", "Unknown tag.", code="unknown_tag")

    async def _audit(
        self,
        session: AsyncSession,
        principal: Principal,
        action: str,
        contact: Contact,
        data: dict[str, object] | None = None,
    ) -> None:
        # The phone and name stay out of the log: it is kept forever, personal data is not.
        await audit.record_action(
            session, principal, action, target_type="contact", target_id=contact.id, data=data
        )


contact_service = ContactService()
