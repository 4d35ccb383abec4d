"""``ResourceRoutes``: the five routes of a resource, as if written out by hand."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import BaseModel

from nexus.auth.dependencies import CurrentUser, Principal, authenticated
from nexus.kit.errors import NotFound, install_error_handlers
from nexus.kit.routes import ERROR_RESPONSES, ResourceRoutes
from nexus.kit.schemas import ReadModel
from nexus.kit.web import get_session

READER, EDITOR, SESSION = object(), object(), object()


class GadgetCreate(BaseModel):
    name: str


class GadgetUpdate(BaseModel):
    name: str | None = None


class GadgetRead(ReadModel):
    id: uuid.UUID
    name: str


@dataclass
class Gadget:
    name: str
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass
class Calls:
    """What the service and queries were called with, and the gadgets they hold."""

    gadgets: dict[uuid.UUID, Gadget] = field(default_factory=dict)
    log: list[tuple[Any, ...]] = field(default_factory=list)


async def editor() -> object:
    return EDITOR


async def reader() -> object:
    return READER


async def session() -> AsyncIterator[object]:
    yield SESSION


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def app(calls: Calls) -> FastAPI:
    async def search(principal: CurrentUser, colour: str | None = None) -> Sequence[Gadget]:
        calls.log.append(("search", principal, colour))
        return list(calls.gadgets.values())

    async def create(session: Any, principal: Principal, body: GadgetCreate) -> Gadget:
        calls.log.append(("create", session, principal, body.name))
        gadget = Gadget(body.name)
        calls.gadgets[gadget.id] = gadget
        return gadget

    async def fetch(session: Any, principal: Principal, id: uuid.UUID) -> Gadget:
        calls.log.append(("fetch", session, principal, id))
        if id not in calls.gadgets:
            raise NotFound("Gadget not found.")
        return calls.gadgets[id]

    async def update(
        session: Any, principal: Principal, id: uuid.UUID, body: GadgetUpdate
    ) -> Gadget:
        calls.log.append(("update", session, principal, id, body.name))
        gadget = calls.gadgets[id]
        gadget.name = body.name or gadget.name
        return gadget

    async def delete(session: Any, principal: Principal, id: uuid.UUID) -> None:
        calls.log.append(("delete", session, principal, id))
        del calls.gadgets[id]

    router = APIRouter(prefix="/api/gadgets", tags=["gadgets"], responses=ERROR_RESPONSES)
    routes = ResourceRoutes(
        router,
        name="gadget",
        plural="gadgets",
        read=GadgetRead,
        editor=Annotated[Principal, Depends(editor)],
    )
    routes.add_list(search, summary="List")
    routes.add_create(GadgetCreate, create, summary="Create")
    routes.add_get(fetch, summary="One")
    routes.add_update(GadgetUpdate, update, summary="Update")
    routes.add_delete(delete, summary="Delete")

    app = FastAPI(generate_unique_id_function=lambda route: route.name)
    install_error_handlers(app)
    app.include_router(router)
    app.dependency_overrides = {authenticated: reader, get_session: session}
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


def test_routes_are_named_and_shaped_as_hand_written_ones(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert [
        (path, method, operation["operationId"], operation["summary"], min(operation["responses"]))
        for path, operations in paths.items()
        for method, operation in operations.items()
    ] == [
        ("/api/gadgets", "get", "list_gadgets", "List", "200"),
        ("/api/gadgets", "post", "create_gadget", "Create", "201"),
        ("/api/gadgets/{gadget_id}", "get", "get_gadget", "One", "200"),
        ("/api/gadgets/{gadget_id}", "patch", "update_gadget", "Update", "200"),
        ("/api/gadgets/{gadget_id}", "delete", "delete_gadget", "Delete", "204"),
    ]
    paths = app.openapi()["paths"]
    assert [p["name"] for p in paths["/api/gadgets"]["get"]["parameters"]] == ["colour"]
    item = paths["/api/gadgets/{gadget_id}"]
    for method in ("get", "patch", "delete"):
        (parameter,) = item[method]["parameters"]
        assert (parameter["name"], parameter["in"], parameter["schema"]["title"]) == (
            "gadget_id",
            "path",
            "Gadget Id",
        )
        assert "description" not in item[method]
    assert item["patch"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GadgetUpdate"
    }
    assert item["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GadgetRead"
    }
    assert set(item["delete"]["responses"]) == {"204", "401", "403", "404", "409", "422"}
    assert "content" not in item["delete"]["responses"]["204"]


async def test_routes_call_the_resource_with_the_caller_and_session(
    client: AsyncClient, calls: Calls
) -> None:
    created = await client.post("/api/gadgets", json={"name": "knob"})
    assert created.status_code == 201
    gadget_id = uuid.UUID(created.json()["id"])
    assert created.json() == {"id": str(gadget_id), "name": "knob"}

    listed = await client.get("/api/gadgets", params={"colour": "red"})
    assert listed.json() == [created.json()]
    url = f"/api/gadgets/{gadget_id}"
    assert (await client.get(url)).json() == created.json()
    assert (await client.patch(url, json={"name": "dial"})).json()["name"] == "dial"
    deleted = await client.delete(url)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert (await client.get(url)).status_code == 404

    assert calls.log == [
        ("create", SESSION, EDITOR, "knob"),
        ("search", READER, "red"),
        ("fetch", SESSION, READER, gadget_id),
        ("update", SESSION, EDITOR, gadget_id, "dial"),
        ("delete", SESSION, EDITOR, gadget_id),
        ("fetch", SESSION, READER, gadget_id),
    ]


async def test_bad_ids_and_bodies_are_refused_before_the_resource_is_called(
    client: AsyncClient, calls: Calls
) -> None:
    assert (await client.get("/api/gadgets/not-a-uuid")).status_code == 422
    assert (await client.post("/api/gadgets", json={})).status_code == 422
    assert calls.log == []
