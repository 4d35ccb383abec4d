from __future__ import annotations

import uuid

import structlog

from nexus.channels.errors import ChannelError
from nexus.connections.adapters import adapter_of
from nexus.connections.states import SYNC_JOB
from nexus.connections.supervisor import supervise
from nexus.connections.sync import fetch_directory, store_directory
from nexus.kit.jobs import jobs
from nexus.models import Connection

log = structlog.get_logger(__name__)


@jobs.task("connections.supervise", every_seconds=15)
async def supervise_connections() -> None:
    await supervise(jobs.db())


@jobs.task(SYNC_JOB)
async def sync_contacts(connection_id: str) -> None:
    """Contacts and groups of a phone that just came online (C7, C8)."""
    database = jobs.db()
    async with database.read() as session:
        connection = await session.get(Connection, uuid.UUID(connection_id))
    if connection is None:
        return
    try:
        directory = await fetch_directory(adapter_of(connection))
    except ChannelError as exc:
        # Not fatal: the admin can sync by hand, and the next connection does it again.
        log.warning("contact_sync_failed", connection_id=connection_id, error=str(exc))
        return
    await store_directory(database, connection.company_id, directory.parties)
