from __future__ import annotations

from nexus.kit.jobs import jobs
from nexus.routing import sweeps


@jobs.task("routing.response_timeouts", every_seconds=15)
async def response_timeouts() -> None:
    async with jobs.db().write() as session:
        await sweeps.expire_response_timers(session)


@jobs.task("presence.heartbeat_timeouts", every_seconds=20)
async def heartbeat_timeouts() -> None:
    async with jobs.db().write() as session:
        await sweeps.expire_heartbeats(session)


@jobs.task("conversations.idle_expiry", every_seconds=300)
async def idle_expiry() -> None:
    async with jobs.db().write() as session:
        await sweeps.expire_idle_conversations(session)


@jobs.task("routing.drain_queues", every_seconds=30)
async def drain_queues() -> None:
    async with jobs.db().write() as session:
        await sweeps.drain_all_queues(session)
