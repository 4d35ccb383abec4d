from __future__ import annotations

from sqlalchemy import Select, select

from nexus.kit.repository import TenantRepository
from nexus.models import Company


class CompanyRepository(TenantRepository[Company]):
    """The caller's own company: the tenant filter is on the company's id itself."""

    model = Company
    not_found_message = "Company not found."

    def base_statement(self) -> Select[Company]:
        return select(Company).where(Company.id == self.company_id)

    async def current(self, *, for_update: bool = False) -> Company:
        return await self.get_or_404(self.company_id, for_update=for_update)
