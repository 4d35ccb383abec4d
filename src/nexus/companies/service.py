"""Companies (tenants): creation with the defaults a new company needs to work at once."""

from __future__ import annotations

import re
import secrets
import unicodedata

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.companies.schemas import CompanySettings
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


company_service = CompanyService()
