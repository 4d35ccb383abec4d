"""Connections on the fake providers, and what admins were told about them."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from nexus.models import Connection, RealtimeEvent
from tests.fakes import cloud_api, evolution, telegram, waha
from tests.fakes.server import FakeProvider
from tests.fixtures.api import Account


def settings_for(channel: str, fake: FakeProvider | None) -> dict[str, Any]:
    """The create body of a connection on ``fake``, with the fake's own credentials."""
    base = {"base_url": fake.base_url} if fake is not None else {}
    config, secrets = {
        "waha": (
            {**base, "session": waha.SESSION},
            {"api_key": waha.API_KEY, "webhook_secret": waha.HMAC_KEY},
        ),
        "evolution": (
            {**base, "instance": evolution.INSTANCE},
            {"api_key": evolution.API_KEY, "webhook_secret": evolution.WEBHOOK_TOKEN},
        ),
        "telegram": (base, {"bot_token": telegram.BOT_TOKEN}),
        "cloud_api": (
            {**base, "phone_number_id": cloud_api.PHONE_NUMBER_ID},
            {"access_token": cloud_api.ACCESS_TOKEN, "app_secret": cloud_api.APP_SECRET},
        ),
        "sandbox": ({}, {}),
    }[channel]
    return {"name": f"{channel} line", "channel": channel, "config": config, "secrets": secrets}


async def create_connection(
    client: AsyncClient, admin: Account, channel: str, fake: FakeProvider | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/api/connections", headers=admin.headers, json=settings_for(channel, fake)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def action(client: AsyncClient, admin: Account, connection: dict[str, Any], name: str) -> Any:
    return await client.post(f"/api/connections/{connection['id']}/{name}", headers=admin.headers)


async def stored(app: FastAPI, connection_id: str) -> Connection:
    async with app.state.database.read() as session:
        row = await session.get(Connection, uuid.UUID(connection_id))
    assert row is not None
    return row


async def events(app: FastAPI, company_id: str, name: str) -> list[RealtimeEvent]:
    async with app.state.database.read() as session:
        rows = await session.execute(
            select(RealtimeEvent)
            .where(RealtimeEvent.company_id == uuid.UUID(company_id), RealtimeEvent.name == name)
            .order_by(RealtimeEvent.seq)
        )
        return list(rows.scalars())


async def statuses(app: FastAPI, company_id: str) -> list[str]:
    """The ``connection-status`` events admins received, as their statuses in order."""
    return [row.payload["status"] for row in await events(app, company_id, "connection-status")]
