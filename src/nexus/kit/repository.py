"""Repository base: every query of a tenant-owned table is filtered by company here.

A service obtains a repository with ``XRepository(session, company_id)``; there is no way to
build a query on a tenant table without naming the company, so one company's ids can never
reach another company's rows (A1).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.kit.errors import Conflict, NotFound
from nexus.kit.models import Base

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, instance: M, *, flush: bool = True) -> M:
        self.session.add(instance)
        if flush:
            await self.session.flush()
        return instance

    async def delete(self, instance: M) -> None:
        await self.session.delete(instance)
        await self.session.flush()

    async def one_or_none(self, statement: Select[M]) -> M | None:
        result = await self.session.execute(statement)
        return result.scalars().unique().one_or_none()

    async def all(self, statement: Select[M]) -> Sequence[M]:
        result = await self.session.execute(statement)
        return result.scalars().unique().all()

    async def count(self, statement: Select[Any]) -> int:
        count_statement = select(func.count()).select_from(statement.order_by(None).subquery())
        return int((await self.session.execute(count_statement)).scalar_one())


class TenantRepository(Repository[M]):
    """A repository whose every statement starts from ``base_statement`` (the company filter)."""

    not_found_message = "Not found."

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        super().__init__(session)
        self.company_id = company_id

    def base_statement(self) -> Select[M]:
        company_column = self.model.company_id  # type: ignore[attr-defined]
        return select(self.model).where(company_column == self.company_id)

    async def get(self, id: uuid.UUID, *, for_update: bool = False) -> M | None:
        statement = self.base_statement().where(self.model.id == id)  # type: ignore[attr-defined]
        if for_update:
            statement = statement.with_for_update()
        return await self.one_or_none(statement)

    async def get_or_404(self, id: uuid.UUID, *, for_update: bool = False) -> M:
        instance = await self.get(id, for_update=for_update)
        if instance is None:
            raise NotFound(self.not_found_message)
        return instance

    async def create(self, **values: Any) -> M:
        instance = self.model(company_id=self.company_id, **values)
        return await self.add(instance)

    async def ensure_unique(
        self,
        field: str,
        condition: ColumnElement[bool],
        *,
        message: str,
        exclude_id: uuid.UUID | None = None,
    ) -> None:
        """Refuse with a 409 naming ``field`` when another row of the company matches.

        Checked before writing so the client is told which field clashes; the database's
        unique constraint remains the guard against concurrent writers.
        """
        statement = self.base_statement().where(condition)
        if exclude_id is not None:
            statement = statement.where(self.model.id != exclude_id)  # type: ignore[attr-defined]
        if (await self.session.execute(statement.limit(1))).first() is not None:
            raise Conflict(
                message,
                code=f"{field}_taken",
                details=[{"field": field, "message": message, "type": "taken"}],
            )
