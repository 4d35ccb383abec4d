"""The connection supervisor (C5): health checks, automatic restarts, parking.

Each connection's next look is a due time (``next_check_at``), served by a periodic
set-based sweep: due rows are leased in one short transaction, the provider is asked with
no transaction open (a slow gateway holds no lock), and the answer is applied in another
short transaction only if the row still carries our lease (``leased_connection``) — an
admin's action or a webhook in the meantime wins, and a second supervisor never handles
the same row.

A connection never brought up (just created: no status recorded yet) is started, as an
admin's Start would, so its QR or its working number shows up without one. A check that
finds the connection down, or cannot ask its provider, counts a consecutive failure and
restarts it, with a back-off that doubles up to a cap; the ``connection_max_failures``-th
consecutive failure parks it as ``failed`` and tells the admins. A check that finds it
working resets the count.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.channels.errors import ChannelError
from nexus.channels.outbound import SessionState
from nexus.config import Settings
from nexus.connections import states
from nexus.connections.adapters import adapter_of
from nexus.connections.qr import qr_data_url
from nexus.connections.repository import claim_due_checks, leased_connection
from nexus.connections.sessions import Started, attempt_start, start_on_provider
from nexus.kit.db import Database
from nexus.kit.jobs import jobs
from nexus.kit.models import utc_now
from nexus.models import Connection, ConnectionStatus

log = structlog.get_logger(__name__)

BATCH = 100
# Provider calls in flight at once: one dead gateway must not hold up the others' checks.
CONCURRENCY = 10


@dataclass(frozen=True)
class Observation:
    """What the provider said, gathered with no transaction open."""

    state: SessionState | None  # None: the provider could not be asked or refused
    qr_code: str | None = None
    failure: str | None = None  # why the connection counts as down
    restarted: Started | None = None


async def supervise(database: Database, *, now: datetime | None = None) -> list[uuid.UUID]:
    """Check every connection whose check is due at ``now``; returns the ids checked."""
    now = now or utc_now()
    settings = jobs.runtime().settings
    lease = now + timedelta(seconds=settings.connection_check_seconds)
    async with database.write() as session:
        ids = await claim_due_checks(
            session, states.SUPERVISED, now=now, lease_until=lease, limit=BATCH
        )
    gate = asyncio.Semaphore(CONCURRENCY)

    async def check(connection_id: uuid.UUID) -> None:
        async with gate:
            try:
                await _check(database, settings, connection_id, lease=lease, now=now)
            except Exception:  # one connection's surprise must not stop the others
                log.exception("connection_check_failed", connection_id=str(connection_id))

    await asyncio.gather(*(check(connection_id) for connection_id in ids))
    return ids


async def _check(
    database: Database,
    settings: Settings,
    connection_id: uuid.UUID,
    *,
    lease: datetime,
    now: datetime,
) -> None:
    async with database.read() as session:
        connection = await session.get(Connection, connection_id)
    if connection is None or connection.next_check_at != lease:
        return
    if connection.status_changed_at is None:
        await _bring_up(database, connection, lease=lease, now=now)
        return
    attempts = connection.restart_attempts + 1
    observation = await _observe(
        connection, may_restart=attempts < settings.connection_max_failures
    )
    async with database.write() as session:
        row = await leased_connection(session, connection_id, lease)
        if row is None or row.status is ConnectionStatus.stopped:
            return
        if observation.failure is None:
            assert observation.state is not None
            status = observation.state.status
            states.set_status(
                session,
                row,
                status,
                observation.state.reason,
                phone=observation.state.phone,
                qr_code=observation.qr_code,
            )
            row.next_check_at = states.next_check(settings, status, now)
        elif attempts >= settings.connection_max_failures:
            await states.park(session, row, observation.failure, attempts=attempts)
        else:
            _restarting(session, row, observation, observation.failure)
            row.restart_attempts = attempts
            row.next_check_at = now + states.backoff(settings, attempts)


async def _bring_up(
    database: Database, connection: Connection, *, lease: datetime, now: datetime
) -> None:
    attempt = await attempt_start(connection)
    async with database.write() as session:
        row = await leased_connection(session, connection.id, lease)
        if row is not None:
            attempt.record(session, row, now=now)


async def _observe(connection: Connection, *, may_restart: bool) -> Observation:
    try:
        adapter = adapter_of(connection)
    except ChannelError as exc:  # misconfigured: a restart cannot help
        return Observation(state=None, failure=str(exc))
    state: SessionState | None
    try:
        state = await adapter.get_status()
    except ChannelError as exc:
        # Unreachable, or the gateway lost the session (it answers 404): a start recreates it.
        state, failure = None, str(exc)
    else:
        if state.status not in states.DOWN:
            qr_code = None
            if state.status is ConnectionStatus.qr:
                try:
                    qr_code = qr_data_url(await adapter.get_qr())
                except ChannelError:
                    qr_code = connection.qr_code  # a QR that rotated away: the next one comes
            return Observation(state=state, qr_code=qr_code)
        failure = state.reason or f"the provider reports {state.provider_state}"
    if not may_restart:
        return Observation(state=state, failure=failure)
    try:
        restarted = await start_on_provider(adapter, connection)
    except ChannelError as exc:
        return Observation(state=state, failure=f"{failure}; restart failed: {exc}")
    return Observation(state=state, failure=failure, restarted=restarted)


def _restarting(
    session: AsyncSession, row: Connection, observation: Observation, failure: str
) -> None:
    restarted = observation.restarted
    if restarted is None or restarted.state.status in states.DOWN:
        states.set_status(session, row, ConnectionStatus.disconnected, failure)
        return
    # Restarted: shown as the gateway now reports it (working, or waiting for a QR scan);
    # the next check, after the back-off, tells whether it holds.
    states.set_status(
        session,
        row,
        restarted.state.status,
        f"restarted after: {failure}",
        phone=restarted.state.phone,
        qr_code=restarted.qr_code,
    )
