"""Who wrote: find or create the contact a provider event names, by every id it carries.

WhatsApp now names people by LID as well as by phone number, and a later event may be the
first to carry both (peers' worst new problem: the same customer split in two). When an
event links identities that point at two contacts, the two are merged: the older contact
survives and takes over the other's identities, conversations and messages, so no
conversation is split or lost (peers.md §2.3).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.kit.db import transaction_memo
from nexus.models import (
    Contact,
    ContactIdentity,
    ContactTag,
    Conversation,
    IdentityKind,
    Message,
)


@dataclass(frozen=True)
class Identity:
    kind: IdentityKind
    external_id: str


@dataclass(frozen=True)
class Sender:
    """Who an inbound event names, as ``resolve_contact`` is asked about it."""

    company_id: uuid.UUID
    identities: tuple[Identity, ...]
    phone: str | None
    name: str | None
    is_group: bool


async def resolve_contact(
    session: AsyncSession,
    company_id: uuid.UUID,
    identities: Sequence[Identity],
    *,
    phone: str | None,
    name: str | None,
    is_group: bool = False,
) -> Contact:
    if not identities:
        raise ValueError("an inbound event always names its sender")
    # A run of a chat's events names the same sender each time: once resolved in this
    # transaction, the contact stands until something merges it into another.
    memo: dict[Sender, Contact] = transaction_memo(session, "resolved_contacts")
    key = Sender(company_id, tuple(identities), phone, name, is_group)
    contact = memo.get(key)
    if contact is None or contact.merged_into_id is not None:
        contact = await _resolve(session, company_id, identities, phone, name, is_group)
        memo[key] = contact
    return contact


async def prefetch_contacts(session: AsyncSession, senders: Sequence[Sender]) -> None:
    """Resolve in two statements the senders that are known already and need no change, for
    ``resolve_contact`` to find them remembered.

    A sender is remembered only when ``_resolve`` would return its contact untouched: each of
    its identities names that one contact, no other contact has its phone, and the contact
    already has a phone and a name where the sender has them. Any other sender (new, to be
    merged, to be completed) takes the full path.

    On PostgreSQL the contacts are locked, as ``_resolve`` locks them, so that none is merged
    or changed before the transaction ends. They are locked after their identities are read:
    a contact merged in between no longer matches (PostgreSQL checks a locked row's condition
    again), and its sender takes the full path."""
    if not senders:
        return
    memo: dict[Sender, Contact] = transaction_memo(session, "resolved_contacts")
    company_ids = {sender.company_id for sender in senders}
    wanted = {(i.kind, i.external_id) for sender in senders for i in sender.identities}
    owners = {
        (company_id, kind, external_id): contact_id
        for company_id, kind, external_id, contact_id in await session.execute(
            select(
                ContactIdentity.company_id,
                ContactIdentity.kind,
                ContactIdentity.external_id,
                ContactIdentity.contact_id,
            ).where(
                ContactIdentity.company_id.in_(company_ids),
                tuple_(ContactIdentity.kind, ContactIdentity.external_id).in_(wanted),
            )
        )
    }
    phones = {sender.phone for sender in senders if sender.phone}
    contacts = (
        await session.scalars(
            select(Contact)
            .where(
                Contact.company_id.in_(company_ids),
                Contact.merged_into_id.is_(None),
                or_(Contact.id.in_(set(owners.values())), Contact.phone.in_(phones)),
            )
            .order_by(Contact.id)  # one lock order for every batch
            .with_for_update()
        )
    ).all()
    by_id = {contact.id: contact for contact in contacts}
    by_phone = {(contact.company_id, contact.phone): contact for contact in contacts}
    for sender in senders:
        named = {owners.get((sender.company_id, i.kind, i.external_id)) for i in sender.identities}
        if len(named) != 1:
            continue  # identities of two contacts: a merge
        (owner,) = named
        contact = by_id.get(owner) if owner is not None else None
        if contact is None:
            continue  # an identity not seen before, or a contact merged into another
        if sender.phone:
            same_phone = by_phone.get((sender.company_id, sender.phone))
            if contact.phone is None or same_phone not in (None, contact):
                continue
        if sender.name and not contact.name:
            continue
        memo[sender] = contact


async def _resolve(
    session: AsyncSession,
    company_id: uuid.UUID,
    identities: Sequence[Identity],
    phone: str | None,
    name: str | None,
    is_group: bool,
) -> Contact:
    known = await _contacts_for(session, company_id, identities, phone)
    if known:
        contact = known[0]  # the oldest one survives a merge
        for other in known[1:]:
            await _merge(session, survivor=contact, absorbed=other)
    else:
        contact = Contact(company_id=company_id, phone=phone, name=name, is_group=is_group)
        session.add(contact)
        await session.flush()
    if phone and contact.phone is None:
        contact.phone = phone
    if name and not contact.name:
        contact.name = name  # an agent's edit of the name is never overwritten
    await _attach(session, company_id, contact, identities)
    return contact


async def known_contact(
    session: AsyncSession, company_id: uuid.UUID, identities: Sequence[Identity]
) -> uuid.UUID | None:
    """The contact one of ``identities`` names, without creating or linking anything (for
    signals that must not change data, like the customer's typing)."""
    if not identities:
        return None
    return await session.scalar(
        select(ContactIdentity.contact_id)
        .where(
            ContactIdentity.company_id == company_id,
            or_(
                *(
                    and_(
                        ContactIdentity.kind == identity.kind,
                        ContactIdentity.external_id == identity.external_id,
                    )
                    for identity in identities
                )
            ),
        )
        .limit(1)
    )


async def _contacts_for(
    session: AsyncSession,
    company_id: uuid.UUID,
    identities: Sequence[Identity],
    phone: str | None,
) -> list[Contact]:
    by_identity = select(ContactIdentity.contact_id).where(
        ContactIdentity.company_id == company_id,
        or_(
            *(
                and_(
                    ContactIdentity.kind == identity.kind,
                    ContactIdentity.external_id == identity.external_id,
                )
                for identity in identities
            )
        ),
    )
    same_phone = Contact.phone == phone if phone else false()
    statement = select(Contact).where(
        Contact.company_id == company_id,
        Contact.merged_into_id.is_(None),
        or_(Contact.id.in_(by_identity), same_phone),
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    contacts = (await session.execute(statement)).scalars().all()
    return sorted(contacts, key=lambda c: (c.created_at, str(c.id)))


async def _attach(
    session: AsyncSession, company_id: uuid.UUID, contact: Contact, identities: Sequence[Identity]
) -> None:
    existing = {
        (row.kind, row.external_id): row
        for row in (
            await session.execute(
                select(ContactIdentity).where(
                    ContactIdentity.company_id == company_id,
                    ContactIdentity.contact_id == contact.id,
                )
            )
        ).scalars()
    }
    for identity in identities:
        if (identity.kind, identity.external_id) not in existing:
            session.add(
                ContactIdentity(
                    company_id=company_id,
                    contact_id=contact.id,
                    kind=identity.kind,
                    external_id=identity.external_id,
                )
            )
    await session.flush()


async def _merge(session: AsyncSession, *, survivor: Contact, absorbed: Contact) -> None:
    company_id = survivor.company_id
    for model in (ContactIdentity, Conversation, Message):
        await session.execute(
            update(model)
            .where(model.company_id == company_id, model.contact_id == absorbed.id)
            .values(contact_id=survivor.id)
            .execution_options(synchronize_session="fetch")
        )
    survivor_tags = set(
        (
            await session.execute(
                select(ContactTag.tag_id).where(ContactTag.contact_id == survivor.id)
            )
        ).scalars()
    )
    for tag in (
        await session.execute(select(ContactTag).where(ContactTag.contact_id == absorbed.id))
    ).scalars():
        if tag.tag_id not in survivor_tags:
            session.add(
                ContactTag(company_id=company_id, contact_id=survivor.id, tag_id=tag.tag_id)
            )
    survivor.name = survivor.name or absorbed.name
    survivor.email = survivor.email or absorbed.email
    survivor.custom_fields = {**absorbed.custom_fields, **survivor.custom_fields}
    survivor.opt_out = survivor.opt_out or absorbed.opt_out
    phone = absorbed.phone
    absorbed.phone = None  # frees the unique (company, phone) slot
    absorbed.merged_into_id = survivor.id
    await session.flush()
    if survivor.phone is None and phone:
        survivor.phone = phone
        await session.flush()
