from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.kit.repository import TenantRepository
from nexus.models import Connection, Conversation


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


async def connection_by_webhook_key(session: AsyncSession, key: str) -> Connection | None:
    """Webhooks are not signed in: the key in the URL names the connection (and its company),
    then the provider's signature proves the sender."""
    return (
        await session.execute(select(Connection).where(Connection.webhook_key == key))
    ).scalar_one_or_none()
