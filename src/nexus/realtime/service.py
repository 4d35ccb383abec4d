"""Who receives which event (the rooms of a user; conversations' audiences are in
``conversation_events``), agent status, and the resync of missed events.

The rooms a user joins and the events ``GET /api/events`` returns to them follow one rule,
``rooms_for``; conversation rooms follow the conversations' visibility rule (T4,
``nexus.conversations.visibility``), the same one the REST routes use.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.auth.dependencies import Principal
from nexus.conversations.repository import ConversationRepository
from nexus.conversations.visibility import Viewer, viewer_for
from nexus.kit.realtime import company_room, department_room, user_room
from nexus.models import Conversation, DepartmentMember, RealtimeEvent, User, UserRole
from nexus.realtime.events import AgentStatus, EventName
from nexus.realtime.publish import Audience, publish
from nexus.realtime.repository import RealtimeEventRepository
from nexus.realtime.schemas import EventRead, EventsPage

# A client further behind than this many of its company's events reloads its lists instead
# of replaying them; the log keeps no more per company, and nothing older than RETENTION.
RESYNC_WINDOW = 5_000
RETENTION = timedelta(hours=24)
_SCAN_PAGE = 500


def rooms_for(viewer: Viewer) -> list[str]:
    """The rooms a user's socket joins: their own; the company's for admins; their
    departments' (agents: those they belong to; supervisors: also those they supervise)."""
    rooms = [user_room(viewer.user_id)]
    if viewer.role is UserRole.admin:
        rooms.append(company_room(viewer.company_id))
    departments = viewer.member_of if viewer.role is UserRole.agent else viewer.department_ids
    rooms += [department_room(d) for d in sorted(departments)]
    return rooms


async def publish_agent_status(session: AsyncSession, user: User) -> None:
    """To admins, the user's departments (team monitoring, D4) and the user's other tabs."""
    departments = (
        await session.execute(
            select(DepartmentMember.department_id).where(
                DepartmentMember.company_id == user.company_id,
                DepartmentMember.user_id == user.id,
            )
        )
    ).scalars()
    publish(
        session,
        user.company_id,
        EventName.agent_status,
        AgentStatus(
            user_id=user.id,
            name=user.name,
            status=user.presence,
            changed_at=user.presence_changed_at,
        ),
        company=True,
        departments=departments,
        users=[user.id],
    )


async def events_after(
    session: AsyncSession, principal: Principal, after: int | None, limit: int
) -> EventsPage:
    """The events after ``after`` that this user may receive, or a reload answer."""
    repository = RealtimeEventRepository(session, principal.company_id)
    # Read first: every event numbered up to it has committed, so the scan below (a later
    # snapshot on PostgreSQL) sees all of them, and ``last`` is a cursor that misses nothing.
    last = await repository.last_seq()
    if after is None or after == last:
        return EventsPage(events=[], last_seq=last)
    if after > last or last - after > RESYNC_WINDOW:
        return EventsPage(reload=True, events=[], last_seq=last)
    oldest = await repository.oldest_seq()
    if oldest is None or oldest > after + 1:
        return EventsPage(reload=True, events=[], last_seq=last)

    viewer = await viewer_for(session, principal.user)
    rooms = set(rooms_for(viewer))
    events: list[RealtimeEvent] = []
    cursor = after
    while cursor < last and len(events) < limit:
        rows = await repository.page(after=cursor, through=last, limit=_SCAN_PAGE)
        if not rows:
            break
        open_ones = await _visible_conversations(session, viewer, rows, rooms)
        for row in rows:
            cursor = row.seq
            audience = Audience.of(row)
            if rooms.intersection(audience.rooms(row.company_id)) or (
                row.conversation_id in open_ones
            ):
                events.append(row)
                if len(events) == limit:
                    break
    has_more = cursor < last
    return EventsPage(
        events=[
            EventRead(seq=row.seq, name=row.name, data=row.payload, created_at=row.created_at)
            for row in events
        ],
        last_seq=cursor if has_more else last,
        has_more=has_more,
    )


async def _visible_conversations(
    session: AsyncSession, viewer: Viewer, rows: Sequence[RealtimeEvent], rooms: set[str]
) -> set[uuid.UUID]:
    """Conversations of events not addressed to the user's rooms that the user may see
    now: their socket would have been allowed into those conversations' rooms."""
    ids = {
        row.conversation_id
        for row in rows
        if row.conversation_id is not None
        and not rooms.intersection(Audience.of(row).rooms(row.company_id))
    }
    if not ids:
        return set()
    repository = ConversationRepository(session, viewer.company_id)
    visible = await repository.all(
        repository.visible_statement(viewer).where(Conversation.id.in_(ids))
    )
    return {conversation.id for conversation in visible}
