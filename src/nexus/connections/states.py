"""The one place a connection's status changes.

Admin actions, the supervisor and the provider's own webhook events all end here, so every
change reaches admins the same way (``connection-status``, with the QR code: only admins
are in the company room) and a number that comes online gets its contacts synced (C8).

Our ``failed`` is not the provider's: it means the supervisor gave up restarting the
connection (``park``), and only an admin's start — or the phone reconnecting by itself —
ends it. A provider that reports its session failed or stopped is reporting a drop, which
the supervisor tries to repair.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.config import Settings
from nexus.connections.repository import ConnectionRepository
from nexus.kit.jobs import jobs
from nexus.kit.models import utc_now
from nexus.models import ChannelKind, Connection, ConnectionStatus
from nexus.realtime.events import ConnectionStatusChanged, EventName, Notification
from nexus.realtime.publish import publish

# Channels whose health can be polled; the sandbox lives inside Nexus and cannot drop.
SUPERVISED = frozenset(
    {ChannelKind.waha, ChannelKind.evolution, ChannelKind.telegram, ChannelKind.cloud_api}
)
# Gateways that list the phone's contacts and groups.
DIRECTORY_CHANNELS = frozenset({ChannelKind.waha, ChannelKind.evolution})
# What a provider may report that means "not working": the supervisor restarts these.
DOWN = frozenset({ConnectionStatus.disconnected, ConnectionStatus.failed, ConnectionStatus.stopped})
SYNC_JOB = "connections.sync"

# locale -> (title, body); the body is formatted with the connection's name and the reason.
_PARKED_TEXTS = {
    "pt-BR": (
        "Conexão parada",
        "A conexão {name} falhou {attempts} vezes seguidas e não será mais reiniciada "
        "automaticamente: {reason}. Corrija a causa e inicie-a de novo.",
    ),
    "en": (
        "Connection stopped",
        "Connection {name} failed {attempts} times in a row and will not be restarted "
        "automatically: {reason}. Fix the cause and start it again.",
    ),
}
_DEFAULT_LOCALE = "pt-BR"


def set_status(
    session: AsyncSession,
    connection: Connection,
    status: ConnectionStatus,
    reason: str | None,
    *,
    phone: str | None = None,
    qr_code: str | None = None,
) -> None:
    """Record ``status`` and tell the company's admins when anything they see changed."""
    before = (connection.status, connection.status_reason, connection.qr_code)
    came_online = status is ConnectionStatus.connected and before[0] is not status
    if before[0] is not status or connection.status_changed_at is None:
        # None until a first status is recorded: the supervisor starts such a connection.
        connection.status_changed_at = utc_now()
    connection.status = status
    connection.status_reason = reason
    # A QR is only worth showing while the phone is waiting to scan it.
    connection.qr_code = qr_code if status is ConnectionStatus.qr else None
    if phone:
        connection.phone_number = phone
    if status is ConnectionStatus.connected:
        # "N consecutive failures" park a connection: a working one breaks the streak.
        connection.restart_attempts = 0
    if came_online and connection.channel in DIRECTORY_CHANNELS:
        jobs.enqueue(session, SYNC_JOB, connection_id=str(connection.id))
    if (connection.status, connection.status_reason, connection.qr_code) != before:
        publish(
            session,
            connection.company_id,
            EventName.connection_status,
            ConnectionStatusChanged(
                connection_id=connection.id,
                name=connection.name,
                channel=connection.channel,
                status=connection.status,
                reason=connection.status_reason,
                phone_number=connection.phone_number,
                qr_code=connection.qr_code,
            ),
            company=True,
        )


def provider_reported(
    session: AsyncSession,
    connection: Connection,
    status: ConnectionStatus,
    reason: str | None,
    *,
    phone: str | None = None,
    qr_code: str | None = None,
) -> None:
    """A state the provider pushed to our webhook (session status, a new QR)."""
    if connection.status is ConnectionStatus.stopped:
        return  # an admin stopped it: the gateway's echo or a late event changes nothing
    if connection.status is ConnectionStatus.failed and status is not ConnectionStatus.connected:
        return  # parked: only the phone reconnecting, or an admin, brings it back
    now = utc_now()
    settings = jobs.runtime().settings
    if status in DOWN:
        reason = reason or f"the provider reports the session {status.value}"
        if connection.status is not ConnectionStatus.disconnected:
            # A fresh drop: the supervisor's next round restarts it. One already being
            # restarted keeps its back-off, however many events repeat the news.
            connection.next_check_at = now
        status = ConnectionStatus.disconnected
    elif connection.channel in SUPERVISED:
        connection.next_check_at = now + timedelta(seconds=settings.connection_check_seconds)
    set_status(session, connection, status, reason, phone=phone, qr_code=qr_code)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait before the check that follows the ``attempts``-th consecutive failure."""
    seconds = settings.connection_backoff_seconds * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.connection_backoff_max_seconds))


def next_check(settings: Settings, status: ConnectionStatus, now: datetime) -> datetime:
    """When a connection that is not failing is looked at again: soon while it starts,
    at the regular interval once it works or waits for a QR scan."""
    if status is ConnectionStatus.starting:
        return now + timedelta(seconds=settings.connection_backoff_seconds)
    return now + timedelta(seconds=settings.connection_check_seconds)


async def park(
    session: AsyncSession, connection: Connection, reason: str, *, attempts: int
) -> None:
    """Stop restarting a connection that keeps failing, and tell the company's admins."""
    set_status(session, connection, ConnectionStatus.failed, reason)
    connection.restart_attempts = attempts
    connection.next_check_at = None
    admins = await ConnectionRepository(session, connection.company_id).admin_locales()
    by_locale: dict[str, list[uuid.UUID]] = {}
    for user_id, locale in admins:
        by_locale.setdefault(locale if locale in _PARKED_TEXTS else _DEFAULT_LOCALE, []).append(
            user_id
        )
    for locale, users in sorted(by_locale.items()):
        title, body = _PARKED_TEXTS[locale]
        publish(
            session,
            connection.company_id,
            EventName.notification,
            Notification(
                kind="connection_failed",
                title=title,
                body=body.format(name=connection.name, attempts=attempts, reason=reason),
                level="error",
            ),
            users=users,
        )
