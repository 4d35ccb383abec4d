"""Connections: a company's numbers and bots, their encrypted secrets and webhook URLs."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.audit.service import audit
from nexus.auth.dependencies import Principal
from nexus.connections import states
from nexus.connections.repository import ConnectionRepository
from nexus.connections.schemas import (
    ConnectionAdminRead,
    ConnectionCreate,
    ConnectionRead,
    ConnectionUpdate,
    missing_fields,
)
from nexus.connections.secrets import secrets_of, store_secrets
from nexus.connections.webhook_lookup import webhook_lookup
from nexus.kit.crypto import SecretBox
from nexus.kit.errors import Conflict, ValidationFailed
from nexus.kit.models import utc_now
from nexus.models import Connection, ConnectionStatus


class ConnectionService:
    def webhook_url(self, public_url: str, connection: Connection) -> str:
        return (
            f"{public_url.rstrip('/')}/webhooks/{connection.channel.value}/{connection.webhook_key}"
        )

    def to_read(self, connection: Connection) -> ConnectionRead:
        return ConnectionRead.model_validate(connection, from_attributes=True)

    def to_admin_read(
        self, box: SecretBox, public_url: str, connection: Connection
    ) -> ConnectionAdminRead:
        return ConnectionAdminRead(
            **self.to_read(connection).model_dump(),
            config=connection.config,
            secret_fields=sorted(secrets_of(box, connection)),
            webhook_url=self.webhook_url(public_url, connection),
            verify_token=connection.verify_token,
            qr_code=connection.qr_code,
        )

    async def create(
        self, session: AsyncSession, box: SecretBox, principal: Principal, body: ConnectionCreate
    ) -> Connection:
        repository = ConnectionRepository(session, principal.company_id)
        if body.is_default:
            await repository.clear_default()
        now = utc_now()
        supervised = body.channel in states.SUPERVISED
        connection = Connection(
            id=uuid.uuid4(),
            company_id=principal.company_id,
            name=body.name,
            channel=body.channel,
            config=dict(body.config),
            phone_number=body.phone_number,
            is_default=body.is_default,
            webhook_key=secrets.token_urlsafe(24),
            verify_token=secrets.token_urlsafe(24),
            # The sandbox needs no external service: it is connected as soon as it exists.
            # The others are due for the supervisor at once, whose first look at a connection
            # with no status recorded yet is a start: the admin sees the QR (or the number
            # working) without pressing Start.
            status=ConnectionStatus.starting if supervised else ConnectionStatus.connected,
            status_changed_at=None if supervised else now,
            next_check_at=now if supervised else None,
        )
        store_secrets(box, connection, body.secrets)
        await repository.add(connection)
        await audit_connection(
            session,
            principal,
            "connection.create",
            connection,
            {"channel": connection.channel.value, "name": connection.name},
        )
        return connection

    async def update(
        self,
        session: AsyncSession,
        box: SecretBox,
        principal: Principal,
        connection_id: uuid.UUID,
        body: ConnectionUpdate,
    ) -> Connection:
        repository = ConnectionRepository(session, principal.company_id)
        connection = await repository.get_or_404(connection_id, for_update=True)
        config: dict[str, Any] = (
            {**connection.config, **body.config} if body.config is not None else connection.config
        )
        stored = secrets_of(box, connection)
        merged = {**stored, **body.secrets} if body.secrets is not None else stored
        if missing := missing_fields(connection.channel, config, merged):
            raise ValidationFailed("Some provider settings are missing.", details=missing)
        if body.is_default:
            await repository.clear_default()
        for field in ("name", "phone_number", "is_default"):
            value = getattr(body, field)
            if value is not None:
                setattr(connection, field, value)
        connection.config = config
        store_secrets(box, connection, merged)
        await session.flush()
        webhook_lookup.forget_after_commit(session, connection)
        await audit_connection(
            session,
            principal,
            "connection.update",
            connection,
            {
                "fields": sorted(body.model_dump(exclude_unset=True)),
                "secrets_changed": sorted((body.secrets or {}).keys()),
            },
        )
        return connection

    async def delete(
        self, session: AsyncSession, principal: Principal, connection_id: uuid.UUID
    ) -> None:
        repository = ConnectionRepository(session, principal.company_id)
        connection = await repository.get_or_404(connection_id, for_update=True)
        if await repository.in_use(connection):
            raise Conflict(
                "This connection has conversations; stop it instead of deleting it.",
                code="connection_in_use",
            )
        await audit_connection(
            session, principal, "connection.delete", connection, {"name": connection.name}
        )
        await repository.delete(connection)
        webhook_lookup.forget_after_commit(session, connection)


connection_service = ConnectionService()


async def audit_connection(
    session: AsyncSession,
    principal: Principal,
    action: str,
    connection: Connection,
    data: dict[str, object],
) -> None:
    """An admin's action on a number, in the audit log."""
    await audit.record_action(
        session, principal, action, target_type="connection", target_id=connection.id, data=data
    )
