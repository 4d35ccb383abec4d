from __future__ import annotations

import uuid

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update

from nexus.audit.service import audit
from nexus.models import AuditLog
from tests.fixtures.api import create_user, signup


async def test_admin_actions_and_sign_ins_are_recorded(app: FastAPI, client: AsyncClient) -> None:
    admin = await signup(client)
    agent = await create_user(client, admin, role="agent")
    async with app.state.database.read() as session:
        entries = await audit.list_entries(
            session,
            uuid.UUID(admin.company_id),
            action=None,
            actor_id=None,
            target_type=None,
            target_id=None,
            since=None,
            until=None,
            before_sequence=None,
            limit=50,
        )
    actions = [entry.action for entry in reversed(entries)]
    assert actions == ["company.signup", "user.create", "auth.login"]
    created = next(entry for entry in entries if entry.action == "user.create")
    assert created.actor_id == uuid.UUID(admin.user_id)
    assert created.target_id == agent.user_id
    assert created.ip_address == "203.0.113.10"


async def test_editing_a_row_breaks_the_chain_from_there(app: FastAPI, client: AsyncClient) -> None:
    admin = await signup(client)
    for _ in range(3):
        await create_user(client, admin)
    company_id = uuid.UUID(admin.company_id)
    database = app.state.database
    async with database.read() as session:
        assert await audit.verify_chain(session, company_id) is None

    async with database.write() as session:
        await session.execute(
            update(AuditLog)
            .where(AuditLog.company_id == company_id, AuditLog.sequence == 3)
            .values(data={"email": "someone-else@empresa.com.br"})
        )
    async with database.read() as session:
        assert await audit.verify_chain(session, company_id) == 3


async def test_chains_are_per_company(app: FastAPI, client: AsyncClient) -> None:
    first = await signup(client)
    second = await signup(client)
    await create_user(client, first)
    async with app.state.database.read() as session:
        assert await audit.verify_chain(session, uuid.UUID(first.company_id)) is None
        assert await audit.verify_chain(session, uuid.UUID(second.company_id)) is None
