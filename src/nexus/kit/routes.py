"""Building blocks of the domains' routers.

``ERROR_RESPONSES`` are the error answers every API router declares besides success.

``ResourceRoutes`` adds the list/create/get/update/delete routes of a company-owned
resource (tags, quick replies, closing reasons, departments) to its router: anyone signed
in reads, the role the resource names writes, the domain's service holds the rules and the
read schema answers. Each route is added as if it were written out in the domain — path,
status code, route name (hence the OpenAPI operation id), summary, the ``<name>_id`` path
parameter — so the API's schema, and the web client generated from it, are the same.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.auth.dependencies import CurrentUser, Principal, Session
from nexus.kit.errors import ErrorResponse
from nexus.kit.models import Base
from nexus.kit.repository import TenantRepository
from nexus.kit.schemas import ReadModel

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 422)
}

M = TypeVar("M", bound=Base)
B = TypeVar("B", bound=BaseModel)
Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[Any]])

# Loads one item the caller may see, or raises NotFound.
Fetch = Callable[[AsyncSession, Principal, uuid.UUID], Awaitable[object]]


def by_id(repository: type[TenantRepository[M]]) -> Fetch:
    """Fetch any of the company's items by id."""

    async def fetch(session: AsyncSession, principal: Principal, id: uuid.UUID) -> M:
        return await repository(session, principal.company_id).get_or_404(id)

    return fetch


class ResourceRoutes:
    def __init__(
        self,
        router: APIRouter,
        *,
        name: str,
        plural: str,
        read: type[ReadModel],
        editor: Any,
    ) -> None:
        """``name`` and ``plural`` name the routes (``list_tags``, ``get_tag``…) and the
        id parameter (``tag_id``); ``editor`` is the principal dependency of the writes
        (``AdminUser``, ``SupervisorUser``)."""
        self.router = router
        self.name = name
        self.plural = plural
        self.read = read
        self.editor = editor
        self.item_path = f"/{{{name}_id}}"
        # The endpoints take ``id``; the API names it after the resource.
        self.id = Annotated[uuid.UUID, Path(alias=f"{name}_id")]

    def add_list(self, search: Callable[..., Awaitable[Sequence[object]]], *, summary: str) -> None:
        """``search`` is a dependency: its parameters (the filters) are the route's."""

        async def endpoint(*, items: Sequence[object]) -> list[ReadModel]:
            return [self.read.model_validate(item) for item in items]

        self.router.add_api_route(
            "",
            _declare(endpoint, items=Annotated[Sequence[object], Depends(search)]),
            methods=["GET"],
            name=f"list_{self.plural}",
            summary=summary,
            # A schema known only at runtime, which mypy cannot read as a type.
            response_model=list[self.read],  # type: ignore[name-defined]
        )

    def add_create(
        self,
        body: type[B],
        create: Callable[[AsyncSession, Principal, B], Awaitable[object]],
        *,
        summary: str,
    ) -> None:
        async def endpoint(*, body: B, principal: Principal, session: AsyncSession) -> ReadModel:
            return self.read.model_validate(await create(session, principal, body))

        self.router.add_api_route(
            "",
            _declare(endpoint, body=body, principal=self.editor, session=Session),
            methods=["POST"],
            name=f"create_{self.name}",
            summary=summary,
            response_model=self.read,
            status_code=status.HTTP_201_CREATED,
        )

    def add_get(self, fetch: Fetch, *, summary: str) -> None:
        async def endpoint(
            *, id: uuid.UUID, principal: Principal, session: AsyncSession
        ) -> ReadModel:
            return self.read.model_validate(await fetch(session, principal, id))

        self.router.add_api_route(
            self.item_path,
            _declare(endpoint, id=self.id, principal=CurrentUser, session=Session),
            methods=["GET"],
            name=f"get_{self.name}",
            summary=summary,
            response_model=self.read,
        )

    def add_update(
        self,
        body: type[B],
        update: Callable[[AsyncSession, Principal, uuid.UUID, B], Awaitable[object]],
        *,
        summary: str,
    ) -> None:
        async def endpoint(
            *, id: uuid.UUID, body: B, principal: Principal, session: AsyncSession
        ) -> ReadModel:
            return self.read.model_validate(await update(session, principal, id, body))

        self.router.add_api_route(
            self.item_path,
            _declare(endpoint, id=self.id, body=body, principal=self.editor, session=Session),
            methods=["PATCH"],
            name=f"update_{self.name}",
            summary=summary,
            response_model=self.read,
        )

    def add_delete(
        self,
        delete: Callable[[AsyncSession, Principal, uuid.UUID], Awaitable[None]],
        *,
        summary: str,
    ) -> None:
        async def endpoint(
            *, id: uuid.UUID, principal: Principal, session: AsyncSession
        ) -> Response:
            await delete(session, principal, id)
            return Response(status_code=status.HTTP_204_NO_CONTENT)

        self.router.add_api_route(
            self.item_path,
            _declare(endpoint, id=self.id, principal=self.editor, session=Session),
            methods=["DELETE"],
            name=f"delete_{self.name}",
            summary=summary,
            response_model=None,
            status_code=status.HTTP_204_NO_CONTENT,
        )


def _declare(endpoint: Endpoint, **parameters: Any) -> Endpoint:
    """Give ``endpoint`` the signature FastAPI reads: one keyword parameter per name, whose
    annotation makes it the body, a path parameter or a dependency."""
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
            for name, annotation in parameters.items()
        ]
    )
    return endpoint
