from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.kit.repository import TenantRepository
from nexus.models import (
    ChannelKind,
    Connection,
    ConnectionStatus,
    Contact,
    Conversation,
    User,
    UserRole,
)


class ConnectionRepository(TenantRepository[Connection]):
    model = Connection
    not_found_message = "Connection not found."

    async def list(self) -> Sequence[Connection]:
        return await self.all(self.base_statement().order_by(Connection.created_at))

    async def clear_default(self) -> None:
        await self.session.execute(
            update(Connection)
            .where(Connection.company_id == self.company_id, Connection.is_default.is_(True))
            .values(is_default=False)
        )

    async def in_use(self, connection: Connection) -> bool:
        row = await self.session.execute(
            select(Conversation.id)
            .where(
                Conversation.company_id == self.company_id,
                Conversation.connection_id == connection.id,
            )
            .limit(1)
        )
        return row.first() is not None

    async def admin_locales(self) -> Sequence[tuple[uuid.UUID, str]]:
        """The company's active admins with their locales (who hears about connections)."""
        rows = await self.session.execute(
            select(User.id, User.locale).where(
                User.company_id == self.company_id,
                User.role == UserRole.admin,
                User.is_active.is_(True),
            )
        )
        return [(user_id, locale) for user_id, locale in rows]

    async def contact_count(self) -> int:
        return (
            await self.session.execute(
                select(func.count())
                .select_from(Contact)
                .where(Contact.company_id == self.company_id, Contact.merged_into_id.is_(None))
            )
        ).scalar_one()


async def connection_by_webhook_key(session: AsyncSession, key: str) -> Connection | None:
    """Webhooks are not signed in: the key in the URL names the connection (and its company),
    then the provider's signature proves the sender."""
    return (
        await session.execute(select(Connection).where(Connection.webhook_key == key))
    ).scalar_one_or_none()


async def claim_due_checks(
    session: AsyncSession,
    channels: Collection[ChannelKind],
    *,
    now: datetime,
    lease_until: datetime,
    limit: int,
) -> list[uuid.UUID]:
    """Every company's connections whose check is due, leased until ``lease_until``: a second
    supervisor skips them, and a supervisor that dies mid-check is replaced when it ends."""
    statement = (
        select(Connection.id)
        .where(
            Connection.channel.in_(channels),
            Connection.status.not_in((ConnectionStatus.stopped, ConnectionStatus.failed)),
            Connection.next_check_at <= now,
        )
        .order_by(Connection.next_check_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    ids = list((await session.execute(statement)).scalars())
    if ids:
        await session.execute(
            update(Connection).where(Connection.id.in_(ids)).values(next_check_at=lease_until)
        )
    return ids


async def leased_connection(
    session: AsyncSession, connection_id: uuid.UUID, lease: datetime
) -> Connection | None:
    """The connection, locked, if it still carries ``lease`` — the ``next_check_at`` written
    when a provider call was leased on it. None when it is gone or someone changed it while
    the provider was asked (an admin, a webhook, the supervisor): theirs is newer. By id
    alone: the supervisor holds no tenant, and an admin's lease was taken through one."""
    row = (
        await session.execute(
            select(Connection)
            .where(Connection.id == connection_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    return row if row is not None and row.next_check_at == lease else None
