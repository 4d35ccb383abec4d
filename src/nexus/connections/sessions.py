"""An admin's hands on a connection: start, stop, log out, show the QR, sync contacts.

A provider may take its whole timeout to answer, so it is never asked inside a write
transaction: on SQLite that would stop the whole installation from writing, on PostgreSQL
hold a row lock and a connection. As in the supervisor, a short transaction leases the
connection (its ``next_check_at`` becomes the lease, which also keeps the supervisor off
it), the provider is asked with no transaction open, and another short transaction records
the outcome with its audit row — the outcome only if the connection still carries the
lease (``leased_connection``): a webhook, the supervisor or another admin acting meanwhile
wins. A provider's failure is recorded that way too, then raised as the API's error.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.auth.dependencies import Principal
from nexus.channels.base import ChannelAdapter
from nexus.channels.errors import (
    ChannelConfigError,
    ChannelError,
    NotSupported,
    ProviderError,
    TransientError,
)
from nexus.channels.outbound import SessionState
from nexus.channels.registry import ADAPTERS
from nexus.connections import states
from nexus.connections.adapters import adapter_of
from nexus.connections.qr import qr_data_url
from nexus.connections.repository import ConnectionRepository, leased_connection
from nexus.connections.schemas import ConnectionQr, ConnectionSyncResult
from nexus.connections.service import audit_connection, connection_service
from nexus.connections.sync import fetch_directory, store_directory
from nexus.kit.db import Database
from nexus.kit.errors import Conflict, NexusError, ValidationFailed
from nexus.kit.jobs import jobs
from nexus.kit.models import utc_now
from nexus.models import ChannelKind, Connection, ConnectionStatus

# What a provider call's outcome does to the leased connection, in the recording transaction.
Outcome = Callable[[AsyncSession, Connection], None]


class ProviderFailed(NexusError):
    status_code = 502
    code = "provider_error"
    message = "The provider did not accept the request."


def api_error(exc: ChannelError) -> NexusError:
    """A provider's failure as the API tells it: its own message, no trace."""
    if isinstance(exc, NotSupported):
        return Conflict(str(exc), code="not_supported")
    if isinstance(exc, ChannelConfigError):
        return ValidationFailed(str(exc), code="connection_misconfigured")
    if isinstance(exc, ProviderError):
        return ProviderFailed(
            exc.message, details={"provider_code": exc.code, "http_status": exc.http_status}
        )
    return ProviderFailed(str(exc))


@dataclass(frozen=True)
class Started:
    state: SessionState
    qr_code: str | None


async def start_on_provider(adapter: ChannelAdapter, connection: Connection) -> Started:
    """Bring the connection up at its provider and say where it stands.

    Gateways start (or create) the session with our webhook URL; a Telegram bot gets our
    URL and secret through setWebhook; the Cloud API has nothing to start, so reading the
    phone number proves its credentials; the sandbox is always up.
    """
    webhook_url = connection_service.webhook_url(jobs.runtime().settings.public_url, connection)
    if adapter.capabilities.sessions:
        state = await adapter.start_session(webhook_url=webhook_url)
    else:
        if connection.channel is ChannelKind.telegram:
            await adapter.set_webhook(webhook_url)
        state = await adapter.get_status()
    qr_code = None
    if state.status is ConnectionStatus.qr and adapter.capabilities.sessions:
        qr_code = qr_data_url(await adapter.get_qr())
    return Started(state, qr_code)


@dataclass(frozen=True)
class StartAttempt:
    """A start's answer from the provider (or its failure), gathered with no transaction
    open; an admin's start and the supervisor's first start record it the same way."""

    started: Started | None = None
    error: ChannelError | None = None

    def record(
        self, session: AsyncSession, connection: Connection, *, now: datetime | None = None
    ) -> None:
        settings = jobs.runtime().settings
        now = now or utc_now()
        # A start is a fresh beginning, also for a parked connection.
        connection.restart_attempts = 0
        if self.error is not None:
            if isinstance(self.error, TransientError):
                # The provider may come back: the supervisor keeps trying, with back-off.
                states.set_status(
                    session, connection, ConnectionStatus.disconnected, str(self.error)
                )
                connection.restart_attempts = 1
                connection.next_check_at = now + states.backoff(settings, 1)
            else:
                # Refused credentials or settings: retrying cannot help until they change.
                states.set_status(session, connection, ConnectionStatus.failed, str(self.error))
                connection.next_check_at = None
            return
        assert self.started is not None
        state = self.started.state
        reason: str | None
        if state.status in states.DOWN:
            status, reason = ConnectionStatus.disconnected, state.reason or state.provider_state
        else:
            status, reason = state.status, state.reason
        states.set_status(
            session, connection, status, reason, phone=state.phone, qr_code=self.started.qr_code
        )
        connection.next_check_at = (
            states.next_check(settings, status, now)
            if connection.channel in states.SUPERVISED
            else None
        )


async def attempt_start(connection: Connection) -> StartAttempt:
    try:
        return StartAttempt(started=await start_on_provider(adapter_of(connection), connection))
    except ChannelError as exc:
        return StartAttempt(error=exc)


@dataclass(frozen=True)
class Claim:
    """A connection leased for a provider call: as loaded, and when it was due before."""

    connection: Connection
    lease: datetime
    due_before: datetime | None


class ConnectionSessions:
    async def start(
        self, database: Database, principal: Principal, connection_id: uuid.UUID
    ) -> Connection:
        claim = await self._claim(database, principal, connection_id)
        attempt = await attempt_start(claim.connection)
        failure = api_error(attempt.error) if attempt.error is not None else None
        connection = await self._record(
            database, principal, "connection.start", claim, attempt.record, failure
        )
        if failure is not None:
            raise failure from attempt.error
        return connection

    async def stop(
        self, database: Database, principal: Principal, connection_id: uuid.UUID
    ) -> Connection:
        return await self._end(database, principal, connection_id, logout=False)

    async def logout(
        self, database: Database, principal: Principal, connection_id: uuid.UUID
    ) -> Connection:
        return await self._end(database, principal, connection_id, logout=True)

    async def qr(
        self, database: Database, principal: Principal, connection_id: uuid.UUID
    ) -> ConnectionQr:
        """The QR to scan, read from the gateway while the session waits for one (it
        rotates every few seconds; a stored one may be stale)."""
        async with database.read() as session:
            connection = await ConnectionRepository(session, principal.company_id).get_or_404(
                connection_id
            )
        if connection.status is not ConnectionStatus.qr:
            return ConnectionQr(status=connection.status, qr_code=None)
        try:
            adapter = adapter_of(connection)
            if not adapter.capabilities.sessions:
                return ConnectionQr(status=connection.status, qr_code=connection.qr_code)
            qr_code = qr_data_url(await adapter.get_qr())
        except ChannelError as exc:
            raise api_error(exc) from exc
        return ConnectionQr(status=connection.status, qr_code=qr_code)

    async def sync(
        self, database: Database, principal: Principal, connection_id: uuid.UUID
    ) -> ConnectionSyncResult:
        """The phone's directory, fetched with no transaction open and stored in the short
        batches of the automatic sync (``store_directory``)."""
        async with database.read() as session:
            connection = await ConnectionRepository(session, principal.company_id).get_or_404(
                connection_id
            )
        try:
            directory = await fetch_directory(adapter_of(connection))
        except ChannelError as exc:
            raise api_error(exc) from exc
        created = await store_directory(database, connection.company_id, directory.parties)
        result = ConnectionSyncResult(
            contacts=len(directory.contacts), groups=len(directory.groups), created=created
        )
        async with database.write() as session:
            await audit_connection(
                session, principal, "connection.sync", connection, result.model_dump()
            )
        return result

    async def _end(
        self,
        database: Database,
        principal: Principal,
        connection_id: uuid.UUID,
        *,
        logout: bool,
    ) -> Connection:
        action = "connection.logout" if logout else "connection.stop"
        claim = await self._claim(
            database, principal, connection_id, session_to="log out" if logout else "stop"
        )
        try:
            adapter = adapter_of(claim.connection)
            await (adapter.logout_session() if logout else adapter.stop_session())
        except ChannelError as exc:
            failure = api_error(exc)
            outcome = partial(_not_ended, error=exc, due_before=claim.due_before)
            await self._record(database, principal, action, claim, outcome, failure)
            raise failure from exc
        return await self._record(
            database, principal, action, claim, partial(_ended, logout=logout)
        )

    async def _claim(
        self,
        database: Database,
        principal: Principal,
        connection_id: uuid.UUID,
        *,
        session_to: str | None = None,
    ) -> Claim:
        """Load the connection and lease it for the provider call that follows.
        ``session_to`` names an action only channels with sessions (gateways) have."""
        settings = jobs.runtime().settings
        # As long as the supervisor's: a call that outlives it is taken over by a check.
        lease = utc_now() + timedelta(seconds=settings.connection_check_seconds)
        async with database.write() as session:
            connection = await ConnectionRepository(session, principal.company_id).get_or_404(
                connection_id, for_update=True
            )
            if session_to and not ADAPTERS[connection.channel].capabilities.sessions:
                raise api_error(
                    NotSupported(
                        f"{connection.channel.value} connections have no session to {session_to}"
                    )
                )
            claim = Claim(connection, lease, due_before=connection.next_check_at)
            connection.next_check_at = lease
        return claim

    async def _record(
        self,
        database: Database,
        principal: Principal,
        action: str,
        claim: Claim,
        outcome: Outcome,
        failure: NexusError | None = None,
    ) -> Connection:
        """The outcome of the call made under ``claim`` and its audit row, in one short
        transaction; the connection as it then stands."""
        async with database.write() as session:
            row = await leased_connection(session, claim.connection.id, claim.lease)
            if row is None:
                # Changed while the provider was asked: that is newer than our outcome.
                row = await ConnectionRepository(session, principal.company_id).get_or_404(
                    claim.connection.id
                )
            else:
                outcome(session, row)
            await audit_connection(session, principal, action, row, _result(row, failure))
        return row


def _ended(session: AsyncSession, connection: Connection, *, logout: bool) -> None:
    reason = "logged out: start it to pair a phone again" if logout else "stopped by an admin"
    states.set_status(session, connection, ConnectionStatus.stopped, reason)
    connection.restart_attempts = 0
    connection.next_check_at = None


def _not_ended(
    session: AsyncSession,
    connection: Connection,
    *,
    error: ChannelError,
    due_before: datetime | None,
) -> None:
    """A refused stop or logout leaves the connection as it was, with the provider's reason
    — unless the provider cannot do it at all, which says nothing about the connection."""
    if not isinstance(error, NotSupported):
        states.set_status(
            session, connection, connection.status, str(error), qr_code=connection.qr_code
        )
    connection.next_check_at = due_before


def _result(connection: Connection, failure: NexusError | None = None) -> dict[str, object]:
    data: dict[str, object] = {"status": connection.status.value}
    if failure is not None:
        data["error"] = failure.message
    return data


connection_sessions = ConnectionSessions()
