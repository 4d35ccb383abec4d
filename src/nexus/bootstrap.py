"""First admin and demo data, used by ``nexus create-admin`` and ``nexus demo``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.companies.service import company_service
from nexus.config import get_settings
from nexus.kit.db import Database, create_database
from nexus.kit.security import hash_password
from nexus.models import (
    ChannelKind,
    ClosingReason,
    Company,
    Connection,
    ConnectionStatus,
    Department,
    DepartmentMember,
    MembershipRole,
    QuickReply,
    Tag,
    User,
    UserRole,
)

DEMO_SLUG = "nexus-demo"
DEMO_PASSWORD = "nexus-demo-123"
DEMO_USERS = [
    ("admin", "admin@demo.nexus", "Ana Admin", UserRole.admin, []),
    (
        "supervisor",
        "supervisor@demo.nexus",
        "Sérgio Supervisor",
        UserRole.supervisor,
        ["vendas", "suporte", "financeiro"],
    ),
    ("agent", "agente1@demo.nexus", "Alice Atendente", UserRole.agent, ["vendas", "suporte"]),
    ("agent", "agente2@demo.nexus", "Bruno Atendente", UserRole.agent, ["suporte", "financeiro"]),
]
DEMO_DEPARTMENTS = [
    ("vendas", "Vendas", "#16a34a"),
    ("suporte", "Suporte", "#2563eb"),
    ("financeiro", "Financeiro", "#d97706"),
]
DEMO_QUICK_REPLIES = [
    ("ola", "Olá! Meu nome é {agent}, como posso ajudar?"),
    ("aguarde", "Só um momento, por favor, estou verificando."),
    ("obrigado", "Obrigado pelo contato! Qualquer dúvida, estamos à disposição."),
    ("pix", "Nossa chave PIX é o CNPJ 00.000.000/0001-00."),
]
DEMO_CLOSING_REASONS = [
    "Dúvida resolvida",
    "Venda realizada",
    "Problema técnico resolvido",
    "Sem retorno do cliente",
]
DEMO_TAGS = [("VIP", "#a855f7"), ("Urgente", "#dc2626"), ("Novo cliente", "#0ea5e9")]


def _database() -> Database:
    return create_database(get_settings().resolved_database_url)


async def create_admin(*, email: str, name: str, company_name: str, password: str) -> str:
    database = _database()
    try:
        async with database.write() as session:
            company = (
                await session.execute(select(Company).where(Company.name == company_name))
            ).scalar_one_or_none()
            if company is None:
                company = await company_service.create(session, name=company_name)
            existing = (
                await session.execute(select(User).where(User.email == email.lower()))
            ).scalar_one_or_none()
            if existing is not None:
                raise SystemExit(f"{email} already has an account")
            session.add(
                User(
                    company_id=company.id,
                    email=email.lower(),
                    name=name,
                    role=UserRole.admin,
                    password_hash=hash_password(password),
                )
            )
    finally:
        await database.dispose()
    return email.lower()


@dataclass(frozen=True)
class Demo:
    logins: list[tuple[str, str, str]]  # role, e-mail, password
    sandbox_phone_path: str  # the simulated customer phone's page (C6)


async def load_demo() -> Demo:
    """Create the demo company once; running it again changes nothing."""
    database = _database()
    try:
        async with database.write() as session:
            company = (
                await session.execute(select(Company).where(Company.slug == DEMO_SLUG))
            ).scalar_one_or_none()
            if company is None:
                company = await _create_demo(session)
            sandbox = (
                await session.execute(
                    select(Connection)
                    .where(
                        Connection.company_id == company.id,
                        Connection.channel == ChannelKind.sandbox,
                    )
                    .order_by(Connection.created_at)
                    .limit(1)
                )
            ).scalar_one()
            phone_path = f"/sandbox/{sandbox.webhook_key}?token={sandbox.verify_token}"
    finally:
        await database.dispose()
    return Demo(
        logins=[(role, email, DEMO_PASSWORD) for role, email, *_ in DEMO_USERS],
        sandbox_phone_path=phone_path,
    )


async def _create_demo(session: AsyncSession) -> Company:
    company = await company_service.create(session, name="Nexus Demo")
    company.slug = DEMO_SLUG
    departments = {}
    for position, (slug, name, color) in enumerate(DEMO_DEPARTMENTS):
        department = Department(
            company_id=company.id, slug=slug, name=name, color=color, position=position + 1
        )
        session.add(department)
        departments[slug] = department
    await session.flush()
    password_hash = hash_password(DEMO_PASSWORD)
    for _, email, name, role, memberships in DEMO_USERS:
        user = User(
            company_id=company.id, email=email, name=name, role=role, password_hash=password_hash
        )
        session.add(user)
        await session.flush()
        for slug in memberships:
            session.add(
                DepartmentMember(
                    company_id=company.id,
                    department_id=departments[slug].id,
                    user_id=user.id,
                    role=MembershipRole.supervisor
                    if role is UserRole.supervisor
                    else MembershipRole.member,
                )
            )
    for shortcut, content in DEMO_QUICK_REPLIES:
        session.add(QuickReply(company_id=company.id, shortcut=shortcut, content=content))
    for position, reason in enumerate(DEMO_CLOSING_REASONS):
        session.add(ClosingReason(company_id=company.id, name=reason, position=position))
    for name, color in DEMO_TAGS:
        session.add(Tag(company_id=company.id, name=name, color=color))
    # The sandbox channel lets the demo be tried with no WhatsApp account (C6).
    session.add(
        Connection(
            company_id=company.id,
            name="Sandbox",
            channel=ChannelKind.sandbox,
            status=ConnectionStatus.connected,
            is_default=True,
            webhook_key=secrets.token_urlsafe(24),
            verify_token=secrets.token_urlsafe(24),
        )
    )
    await session.flush()
    return company
