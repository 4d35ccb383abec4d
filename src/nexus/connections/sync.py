"""Contact and group sync from the connected phone (C7, C8).

Every person and group the gateway lists goes through the same identity resolution as an
inbound message, so a customer who already wrote (by phone or by LID) is found, not
duplicated, and running the sync again changes nothing. Groups are contacts with
``is_group`` and a ``whatsapp_group`` identity, as group conversations already are.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from nexus.channels.base import ChannelAdapter
from nexus.channels.events import Party
from nexus.connections.repository import ConnectionRepository
from nexus.inbound.identity import Identity, resolve_contact
from nexus.kit.db import Database
from nexus.models import IdentityKind

# Parties resolved per write transaction: a big address book never holds the lock long.
SYNC_CHUNK = 200


@dataclass(frozen=True)
class Directory:
    contacts: list[Party]
    groups: list[Party]

    @property
    def parties(self) -> list[Party]:
        return [*self.contacts, *self.groups]


async def fetch_directory(adapter: ChannelAdapter) -> Directory:
    """Raises ``NotSupported`` for channels whose provider lists nobody."""
    return Directory(contacts=await adapter.list_contacts(), groups=await adapter.list_groups())


async def store_directory(
    database: Database, company_id: uuid.UUID, parties: Sequence[Party]
) -> int:
    """Resolve ``parties``, ``SYNC_CHUNK`` per short write transaction; returns how many
    contacts are new to the company."""
    created = 0
    for start in range(0, len(parties), SYNC_CHUNK):
        async with database.write() as session:
            repository = ConnectionRepository(session, company_id)
            before = await repository.contact_count()
            for party in parties[start : start + SYNC_CHUNK]:
                await resolve_contact(
                    session,
                    company_id,
                    [Identity(kind, external_id) for kind, external_id in party.identities()],
                    phone=party.phone,
                    name=party.name,
                    is_group=party.kind is IdentityKind.whatsapp_group,
                )
            created += await repository.contact_count() - before
    return created
