"""Companies (tenants): creation with the defaults a new company needs, and its settings."""

from __future__ import annotations

import re
import secrets
import unicodedata

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.audit.service import audit
from nexus.auth.dependencies import Principal
from nexus.companies.repository import CompanyRepository
from nexus.companies.schemas import CompanyRead, CompanySettings, SettingsRead, SettingsUpdate
from nexus.models import ClosingReason, Company, Department

EXPIRY_REASON_NAME = "Encerrado por inatividade"


def slugify(value: str) -> str:
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_value.lower()).strip("-") or "company"


class CompanyService:
    async def create(self, session: AsyncSession, *, name: str) -> Company:
        base = slugify(name)[:60]
        slug = base
        while (await session.execute(select(Company.id).where(Company.slug == slug))).first():
            slug = f"{base}-{secrets.token_hex(3)}"
        company = Company(name=name, slug=slug, settings=CompanySettings().model_dump())
        session.add(company)
        await session.flush()
        # Every company has a root department (where unrouted conversations land) and the
        # system closing reason used by the automatic idle expiry.
        session.add(
            Department(
                company_id=company.id, slug="geral", name="Geral", is_root=True, color="#64748b"
            )
        )
        session.add(
            ClosingReason(
                company_id=company.id, name=EXPIRY_REASON_NAME, is_system=True, position=999
            )
        )
        await session.flush()
        return company

    def settings_of(self, company: Company) -> CompanySettings:
        return CompanySettings.model_validate(company.settings or {})

    def settings_read(self, company: Company) -> SettingsRead:
        return SettingsRead(
            **CompanyRead.model_validate(company).model_dump(),
            **self.settings_of(company).model_dump(),
        )

    async def update_settings(
        self, session: AsyncSession, principal: Principal, body: SettingsUpdate
    ) -> Company:
        company = await CompanyRepository(session, principal.company_id).current(for_update=True)
        changes = body.changes()
        for field in ("name", "timezone"):
            if field in changes:
                setattr(company, field, changes[field])
        stored = self.settings_of(company).model_dump(mode="json")
        for group in ("bot", "conversations"):
            stored[group].update(changes.get(group, {}))
        if body.business_hours is not None:
            stored["business_hours"] = changes["business_hours"]
        # A new dict, so the JSON column is seen as changed.
        company.settings = CompanySettings.model_validate(stored).model_dump(mode="json")
        await session.flush()
        await audit.record_action(
            session,
            principal,
            "company.settings_update",
            target_type="company",
            target_id=company.id,
            data={"fields": _changed_paths(changes)},
        )
        return company


def _changed_paths(changes: dict[str, object]) -> list[str]:
    """Nested names ("bot.greeting"), so the log says which text or rule was edited."""
    paths = []
    for field, value in changes.items():
        if field in ("bot", "conversations") and isinstance(value, dict):
            paths += [f"{field}.{key}" for key in value]
        else:
            paths.append(field)
    return sorted(paths)


company_service = CompanyService()
