"""The audit log: append-only, hash-chained per company (A7)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.audit.repository import AuditRepository
from nexus.audit.schemas import ChainReport
from nexus.kit.models import utc_now
from nexus.models import AuditLog

if TYPE_CHECKING:
    from nexus.auth.dependencies import Principal

GENESIS_HASH = "0" * 64


def _row_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _hashed_fields(row: AuditLog) -> dict[str, Any]:
    return {
        "company_id": str(row.company_id),
        "sequence": row.sequence,
        "actor_id": str(row.actor_id) if row.actor_id else None,
        "actor_email": row.actor_email,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "ip_address": row.ip_address,
        "data": row.data,
        "created_at": row.created_at.isoformat(),
    }


class AuditService:
    async def record(
        self,
        session: AsyncSession,
        *,
        company_id: uuid.UUID,
        action: str,
        actor_id: uuid.UUID | None = None,
        actor_email: str | None = None,
        target_type: str | None = None,
        target_id: uuid.UUID | str | None = None,
        ip_address: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> AuditLog:
        if session.get_bind().dialect.name == "postgresql":
            # Serialise appends per company so two writers never chain onto the same row.
            # (SQLite write transactions are already serial: BEGIN IMMEDIATE.)
            await session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": f"audit:{company_id}"},
            )
        last = (
            await session.execute(
                select(AuditLog.sequence, AuditLog.hash)
                .where(AuditLog.company_id == company_id)
                .order_by(AuditLog.sequence.desc())
                .limit(1)
            )
        ).first()
        sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        row = AuditLog(
            company_id=company_id,
            sequence=sequence,
            actor_id=actor_id,
            actor_email=actor_email,
            action=action,
            target_type=target_type,
            target_id=str(target_id) if target_id is not None else None,
            ip_address=ip_address,
            data=data or {},
            created_at=utc_now().replace(microsecond=0),
            prev_hash=prev_hash,
            hash="",
        )
        row.hash = _row_hash(prev_hash, _hashed_fields(row))
        session.add(row)
        await session.flush()
        return row

    async def record_action(
        self,
        session: AsyncSession,
        principal: Principal,
        action: str,
        *,
        target_type: str,
        target_id: uuid.UUID | str | None,
        data: dict[str, Any] | None = None,
    ) -> AuditLog:
        """A signed-in user's action: who and from where come from the principal, so no
        route can leave them out."""
        return await self.record(
            session,
            company_id=principal.company_id,
            action=action,
            actor_id=principal.id,
            actor_email=principal.user.email,
            target_type=target_type,
            target_id=target_id,
            ip_address=principal.ip_address,
            data=data,
        )

    async def verify_chain(self, session: AsyncSession, company_id: uuid.UUID) -> int | None:
        """Return the sequence of the first row that breaks the chain, or None if intact."""
        rows = (
            await session.execute(
                select(AuditLog)
                .where(AuditLog.company_id == company_id)
                .order_by(AuditLog.sequence)
            )
        ).scalars()
        prev_hash, expected_sequence = GENESIS_HASH, 1
        for row in rows:
            if (
                row.sequence != expected_sequence
                or row.prev_hash != prev_hash
                or row.hash != _row_hash(prev_hash, _hashed_fields(row))
            ):
                return row.sequence if row.sequence == expected_sequence else expected_sequence
            prev_hash, expected_sequence = row.hash, expected_sequence + 1
        return None

    async def chain_report(self, session: AsyncSession, company_id: uuid.UUID) -> ChainReport:
        broken_at = await self.verify_chain(session, company_id)
        entries = await AuditRepository(session, company_id).count_entries()
        return ChainReport(intact=broken_at is None, broken_at=broken_at, entries=entries)

    async def list_entries(
        self,
        session: AsyncSession,
        company_id: uuid.UUID,
        *,
        action: str | None,
        actor_id: uuid.UUID | None,
        target_type: str | None,
        target_id: str | None,
        since: datetime | None,
        until: datetime | None,
        before_sequence: int | None,
        limit: int,
    ) -> Sequence[AuditLog]:
        """Newest first; ``limit + 1`` rows so the caller can tell whether a next page exists."""
        return await AuditRepository(session, company_id).search(
            action=action,
            actor_id=actor_id,
            target_type=target_type,
            target_id=target_id,
            since=since,
            until=until,
            before_sequence=before_sequence,
            limit=limit,
        )


audit = AuditService()
