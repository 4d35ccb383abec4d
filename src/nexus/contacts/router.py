from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from nexus.auth.dependencies import CurrentUser, Session, SupervisorUser
from nexus.contacts.repository import ContactRepository
from nexus.contacts.schemas import ContactCreate, ContactRead, ContactUpdate
from nexus.contacts.service import contact_service
from nexus.kit.errors import ErrorResponse
from nexus.kit.pagination import Page, decode_time_cursor, encode_cursor, page_of

router = APIRouter(
    prefix="/api/contacts",
    tags=["contacts"],
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)


@router.get("", response_model=Page[ContactRead], summary="Search the company's contacts")
async def list_contacts(
    principal: CurrentUser,
    session: Session,
    search: Annotated[
        str | None, Query(max_length=100, description="Part of the name, phone or e-mail")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: str | None = None,
) -> Page[ContactRead]:
    rows = await ContactRepository(session, principal.company_id).search(
        search=search, limit=limit, before=decode_time_cursor(cursor)
    )
    items, next_cursor = page_of(rows, limit, lambda c: encode_cursor(c.created_at, c.id))
    return Page(
        items=await contact_service.to_read_many(session, principal.company_id, items),
        next_cursor=next_cursor,
    )


@router.post(
    "",
    response_model=ContactRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a contact",
)
async def create_contact(
    body: ContactCreate, principal: CurrentUser, session: Session
) -> ContactRead:
    contact = await contact_service.create(session, principal, body)
    return await contact_service.to_read(session, contact)


@router.get("/{contact_id}", response_model=ContactRead, summary="One contact")
async def get_contact(
    contact_id: uuid.UUID, principal: CurrentUser, session: Session
) -> ContactRead:
    contact = await ContactRepository(session, principal.company_id).get_or_404(contact_id)
    return await contact_service.to_read(session, contact)


@router.patch("/{contact_id}", response_model=ContactRead, summary="Update a contact")
async def update_contact(
    contact_id: uuid.UUID, body: ContactUpdate, principal: CurrentUser, session: Session
) -> ContactRead:
    contact = await contact_service.update(session, principal, contact_id, body)
    return await contact_service.to_read(session, contact)


@router.delete(
    "/{contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a contact without conversations (admin, supervisor)",
)
async def delete_contact(
    contact_id: uuid.UUID, principal: SupervisorUser, session: Session
) -> Response:
    await contact_service.delete(session, principal, contact_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
