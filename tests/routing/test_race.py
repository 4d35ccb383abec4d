"""R7: two processes, hundreds of simultaneous arrivals and presence flips. No agent ever
exceeds capacity, no conversation is assigned twice, none is forgotten in the queue."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from nexus.models import (
    Conversation,
    ConversationEvent,
    ConversationStatus,
    Department,
    PresenceStatus,
    User,
)
from nexus.routing import sweeps
from nexus.routing.service import routing_service
from tests.conftest import TEST_DATABASE_URL
from tests.fixtures.world import World, make_world

WORKER = Path(__file__).with_name("concurrency_worker.py")
# SQLite serialises writers, so it gets fewer arrivals to stay quick.
ARRIVALS_PER_PROCESS = 120 if TEST_DATABASE_URL else 50


@dataclass
class Outcome:
    conversations: Sequence[Conversation]
    users: dict[uuid.UUID, User]
    events: Sequence[ConversationEvent]


async def _race(world: World, settings_env: dict[str, str], statuses: list[str]) -> Outcome:
    for slug in ("vendas", "suporte"):
        await world.department(slug)
    # About as many seats as simultaneous arrivals, so that transactions fight over the same
    # last seats all the time (with far fewer seats, everything would just queue).
    agents = [await world.agent("vendas", "suporte", capacity=8) for _ in range(3)]
    agents += [await world.agent("suporte", capacity=4)]
    spec = {
        "database_url": settings_env["DATABASE_URL"],
        "company_id": str(world.company_id),
        "department_ids": [str(d) for d in world.departments.values()],
        "agent_ids": [a.user_id for a in agents],
        "arrivals": ARRIVALS_PER_PROCESS,
        "statuses": statuses,
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            json.dumps({**spec, "seed": seed}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for seed in (1, 2)
    ]
    outputs = [await asyncio.wait_for(p.communicate(), timeout=240) for p in processes]
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr.decode()[-3000:]

    database = world.app.state.database
    async with database.write() as session:
        # Whatever still waits must wait for a reason: drain once more, as the periodic
        # sweep would, before checking that nobody online has room left.
        await sweeps.drain_all_queues(session)
    async with database.read() as session:
        company = world.company_id
        conversations = (
            (await session.execute(select(Conversation).where(Conversation.company_id == company)))
            .scalars()
            .all()
        )
        users = {
            u.id: u
            for u in (
                await session.execute(select(User).where(User.company_id == company))
            ).scalars()
        }
        events = (
            (
                await session.execute(
                    select(ConversationEvent)
                    .where(ConversationEvent.company_id == company)
                    .order_by(ConversationEvent.created_at)
                )
            )
            .scalars()
            .all()
        )
        for department_id in world.departments.values():
            waiting = [
                c
                for c in conversations
                if c.department_id == department_id and c.status is ConversationStatus.waiting
            ]
            department = await session.get(Department, department_id)
            assert department is not None
            if waiting:
                assert not await routing_service.candidates_with_room(session, department), (
                    "a conversation was left in the queue while an agent had room"
                )
    assert len(conversations) == 2 * ARRIVALS_PER_PROCESS
    _assert_assigned_once(conversations, events)
    return Outcome(conversations, users, events)


def _loads(conversations: Sequence[Conversation]) -> dict[uuid.UUID, int]:
    load: dict[uuid.UUID, int] = defaultdict(int)
    for conversation in conversations:
        assert conversation.status in (ConversationStatus.waiting, ConversationStatus.assigned)
        if conversation.status is ConversationStatus.assigned:
            assert conversation.assignee_id is not None
            load[conversation.assignee_id] += 1
    return load


def _assert_assigned_once(
    conversations: Sequence[Conversation], events: Sequence[ConversationEvent]
) -> None:
    """Each conversation's events replay into its final state, every change starting from
    the assignee the previous one left: no conversation was ever claimed twice."""
    state: dict[uuid.UUID, uuid.UUID | None] = defaultdict(lambda: None)
    for event in sorted(events, key=lambda e: (e.conversation_id, e.created_at)):
        assert event.from_assignee_id == state[event.conversation_id], (
            f"conversation {event.conversation_id} claimed twice ({event.kind})"
        )
        state[event.conversation_id] = event.to_assignee_id
    for conversation in conversations:
        assert state[conversation.id] == conversation.assignee_id


async def test_no_agent_exceeds_capacity_under_racing_processes(
    app: FastAPI, client: AsyncClient, settings_env: dict[str, str]
) -> None:
    world = await make_world(app, client)
    # Online and busy only: an agent never loses a conversation during this race, so the
    # final load is the highest load the agent ever had.
    outcome = await _race(world, settings_env, ["online", "online", "busy"])
    loads = _loads(outcome.conversations)
    assert sum(loads.values()) > 0
    for user_id, count in loads.items():
        assert count <= outcome.users[user_id].max_conversations, "an agent exceeds capacity"


async def test_agents_going_offline_under_racing_processes_keep_nothing(
    app: FastAPI, client: AsyncClient, settings_env: dict[str, str]
) -> None:
    world = await make_world(app, client)
    outcome = await _race(world, settings_env, ["online", "online", "offline", "busy"])
    for user_id, count in _loads(outcome.conversations).items():
        user = outcome.users[user_id]
        assert count <= user.max_conversations, "an agent exceeds capacity"
        assert user.presence is not PresenceStatus.offline, "an offline agent holds a chat"
