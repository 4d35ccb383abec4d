"""One of the processes of the R7 race test: customers arrive and agents flip their
presence, all at once, each action in its own transaction (run as a subprocess)."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.conversations.service import conversation_service
from nexus.kit.db import Database, create_database
from nexus.models import Contact, Department, PresenceStatus, User
from nexus.presence.service import presence_service

Action = Callable[[AsyncSession], Awaitable[None]]


@dataclass(frozen=True)
class Spec:
    database_url: str
    company_id: uuid.UUID
    department_ids: list[uuid.UUID]
    agent_ids: list[uuid.UUID]
    arrivals: int
    seed: int
    statuses: list[PresenceStatus]

    @classmethod
    def parse(cls, raw: str) -> Spec:
        data = json.loads(raw)
        return cls(
            database_url=data["database_url"],
            company_id=uuid.UUID(data["company_id"]),
            department_ids=[uuid.UUID(d) for d in data["department_ids"]],
            agent_ids=[uuid.UUID(a) for a in data["agent_ids"]],
            arrivals=int(data["arrivals"]),
            seed=int(data["seed"]),
            statuses=[PresenceStatus(s) for s in data["statuses"]],
        )


class Race:
    def __init__(self, spec: Spec, database: Database) -> None:
        self.spec = spec
        self.database = database
        self.rng = random.Random(spec.seed)
        self.retries = 0

    async def run(self, action: Action) -> None:
        for _ in range(30):
            try:
                async with self.database.write() as session:
                    await action(session)
                return
            except DBAPIError:  # a deadlock victim or lock timeout: retry the whole action
                self.retries += 1
                await asyncio.sleep(self.rng.random() * 0.05)
        raise RuntimeError("gave up after 30 retries")

    async def arrive(self, index: int) -> None:
        department_id = self.rng.choice(self.spec.department_ids)

        async def action(session: AsyncSession) -> None:
            contact = Contact(
                company_id=self.spec.company_id, phone=f"+5511{self.spec.seed}{index:06d}"
            )
            session.add(contact)
            await session.flush()
            conversation = await conversation_service.open(
                session,
                company_id=self.spec.company_id,
                contact_id=contact.id,
                connection_id=None,
            )
            department = await session.get(Department, department_id)
            assert department is not None
            await conversation_service.route(session, conversation, department, reason="race")

        await self.run(action)

    async def flip(self) -> None:
        agent_id = self.rng.choice(self.spec.agent_ids)
        # Online and busy only: an agent never loses a conversation during the race, so the
        # final load is the highest load the agent ever had, and any over-capacity moment
        # shows in the final state. (Going offline is raced separately.)
        status = self.rng.choice(self.spec.statuses)

        async def action(session: AsyncSession) -> None:
            user = (await session.execute(select(User).where(User.id == agent_id))).scalar_one()
            await presence_service.set(session, user, status, reason="race")

        await self.run(action)


async def main(spec: Spec) -> None:
    database = create_database(spec.database_url)
    race = Race(spec, database)
    actions: list[Awaitable[None]] = [race.arrive(i) for i in range(spec.arrivals)]
    actions += [race.flip() for _ in range(spec.arrivals // 3)]
    race.rng.shuffle(actions)
    semaphore = asyncio.Semaphore(24)

    async def bounded(action: Awaitable[None]) -> None:
        async with semaphore:
            await action

    await asyncio.gather(*(bounded(action) for action in actions))
    await database.dispose()
    print(json.dumps({"retries": race.retries}))  # noqa: T201


if __name__ == "__main__":
    asyncio.run(main(Spec.parse(sys.argv[1])))
