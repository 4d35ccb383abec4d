"""A company with two departments and their people, built through the API over the live
server, and a way to publish an event as a service would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from nexus.realtime.events import EventName, Notification
from nexus.realtime.publish import publish
from tests.fixtures.api import Account, signup
from tests.fixtures.live_server import LiveServer
from tests.fixtures.world import World


@dataclass
class Team:
    world: World
    admin: Account
    vendas_agent: Account
    suporte_agent: Account
    suporte_supervisor: Account

    @property
    def company_id(self) -> uuid.UUID:
        return self.world.company_id

    def department(self, slug: str) -> uuid.UUID:
        return self.world.departments[slug]


async def make_team(live: LiveServer) -> Team:
    """Everyone offline, so that conversations wait in their queues until taken."""
    world = World(app=live.app, client=live.http, admin=await signup(live.http))
    await world.department("vendas")
    await world.department("suporte")
    return Team(
        world=world,
        admin=world.admin,
        vendas_agent=await world.agent("vendas", online=False),
        suporte_agent=await world.agent("suporte", online=False),
        suporte_supervisor=await world.agent("suporte", online=False, role="supervisor"),
    )


async def notify(app: FastAPI, company_id: uuid.UUID | str, title: str, **audience: Any) -> None:
    async with app.state.database.write() as session:
        publish(
            session,
            uuid.UUID(str(company_id)),
            EventName.notification,
            Notification(kind="test", title=title),
            **audience,
        )


def titles(events: list[Any]) -> list[str]:
    return [event["title"] for event in events]
