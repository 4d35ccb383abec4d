from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_

from nexus.kit.jobs import jobs
from nexus.kit.models import utc_now
from nexus.models import RefreshToken


@jobs.task("auth.purge_refresh_tokens", every_seconds=3600)
async def purge_refresh_tokens() -> None:
    """Drop refresh tokens that expired or were revoked more than a day ago. Rotated ones
    are kept until they expire: they are what detects a replayed stolen token."""
    cutoff = utc_now() - timedelta(days=1)
    async with jobs.db().write() as session:
        await session.execute(
            delete(RefreshToken).where(
                or_(RefreshToken.expires_at < cutoff, RefreshToken.revoked_at < cutoff)
            )
        )
