from __future__ import annotations

from nexus.kit.jobs import jobs
from nexus.kit.models import utc_now
from nexus.realtime.repository import prune_events
from nexus.realtime.service import RESYNC_WINDOW, RETENTION


@jobs.task("realtime.prune_events", every_seconds=600)
async def prune_old_events() -> None:
    """Keep the resync window bounded: a day of events, at most RESYNC_WINDOW per company."""
    async with jobs.db().write() as session:
        await prune_events(
            session, older_than=utc_now() - RETENTION, keep_per_company=RESYNC_WINDOW
        )
