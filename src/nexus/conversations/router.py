from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Concatenate, ParamSpec

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.auth.dependencies import CurrentUser, Principal, Session
from nexus.conversations.repository import (
    OPEN_STATUSES,
    ConversationFilters,
    ConversationRepository,
)
from nexus.conversations.schemas import (
    AssignRequest,
    ConversationCounts,
    ConversationEventRead,
    ConversationRead,
    ConversationTab,
    CustomerNameRequest,
    NoteCreate,
    NoteRead,
    PriorityRequest,
    ResolveRequest,
    TagsRequest,
    TransferRequest,
)
from nexus.conversations.service import conversation_service
from nexus.kit.pagination import (
    Page,
    decode_cursor,
    encode_cursor,
    page_of,
    parse_cursor_datetime,
    parse_cursor_uuid,
)
from nexus.kit.routes import ERROR_RESPONSES
from nexus.models import Conversation, ConversationStatus

router = APIRouter(prefix="/api/conversations", tags=["conversations"], responses=ERROR_RESPONSES)

P = ParamSpec("P")


def _tab_filters(tab: ConversationTab | None, principal: Principal) -> dict[str, Any]:
    if tab is ConversationTab.mine:
        return {"assignee_id": principal.id, "statuses": (ConversationStatus.assigned,)}
    if tab is ConversationTab.queue:
        return {"statuses": (ConversationStatus.waiting,), "unassigned": True}
    return {}


@router.get("", response_model=Page[ConversationRead], summary="List visible conversations")
async def list_conversations(
    principal: CurrentUser,
    session: Session,
    tab: ConversationTab | None = None,
    status_: Annotated[list[ConversationStatus] | None, Query(alias="status")] = None,
    department_id: uuid.UUID | None = None,
    assignee_id: uuid.UUID | None = None,
    tag_id: uuid.UUID | None = None,
    connection_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    search: Annotated[str | None, Query(max_length=100)] = None,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: str | None = None,
) -> Page[ConversationRead]:
    values: dict[str, Any] = {
        "statuses": tuple(status_ or ()),
        "department_id": department_id,
        "assignee_id": assignee_id,
        "tag_id": tag_id,
        "connection_id": connection_id,
        "contact_id": contact_id,
        "search": search,
        "unread": unread,
    }
    values.update(_tab_filters(tab, principal))
    before = None
    if cursor:
        at, id = decode_cursor(cursor, size=2)
        before = (parse_cursor_datetime(at), parse_cursor_uuid(id))
    rows = await conversation_service.list(
        session, principal, ConversationFilters(**values), limit=limit, before=before
    )
    items, next_cursor = page_of(rows, limit, lambda c: encode_cursor(c.last_message_at, c.id))
    return Page(
        items=await conversation_service.to_read_many(session, principal.company_id, items),
        next_cursor=next_cursor,
    )


@router.get("/counts", response_model=ConversationCounts, summary="Badge counts for the tabs")
async def conversation_counts(principal: CurrentUser, session: Session) -> ConversationCounts:
    viewer = await conversation_service.viewer(session, principal)
    repository = ConversationRepository(session, principal.company_id)
    mine = ConversationFilters(statuses=(ConversationStatus.assigned,), assignee_id=principal.id)
    queue = ConversationFilters(statuses=(ConversationStatus.waiting,), unassigned=True)
    unread = ConversationFilters(statuses=OPEN_STATUSES, unread=True)
    return ConversationCounts(
        mine=await repository.count_visible(viewer, mine),
        queue=await repository.count_visible(viewer, queue),
        unread=await repository.count_visible(viewer, unread),
    )


async def _read(
    session: AsyncSession, principal: Principal, conversation: Conversation
) -> ConversationRead:
    return (await conversation_service.to_read_many(session, principal.company_id, [conversation]))[
        0
    ]


@dataclass
class _ConversationAction:
    """An action route's conversation (from the path), caller and session. Calling it runs
    a ``conversation_service`` action on them, with the route's own arguments after, and
    answers with the conversation as the action left it."""

    conversation_id: uuid.UUID
    principal: CurrentUser
    session: Session

    async def __call__(
        self,
        action: Callable[
            Concatenate[AsyncSession, Principal, uuid.UUID, P], Awaitable[Conversation]
        ],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> ConversationRead:
        conversation = await action(
            self.session, self.principal, self.conversation_id, *args, **kwargs
        )
        return await _read(self.session, self.principal, conversation)


ConversationAction = Annotated[_ConversationAction, Depends()]


@router.get("/{conversation_id}", response_model=ConversationRead, summary="One conversation")
async def get_conversation(
    conversation_id: uuid.UUID, principal: CurrentUser, session: Session
) -> ConversationRead:
    conversation, _ = await conversation_service.get_visible(session, principal, conversation_id)
    return await _read(session, principal, conversation)


@router.post(
    "/{conversation_id}/assign",
    response_model=ConversationRead,
    summary="Take the conversation, or assign it to an agent",
)
async def assign_conversation(body: AssignRequest, act: ConversationAction) -> ConversationRead:
    return await act(conversation_service.assign, body.user_id)


@router.post(
    "/{conversation_id}/unassign",
    response_model=ConversationRead,
    summary="Return the conversation to its department's queue",
)
async def unassign_conversation(act: ConversationAction) -> ConversationRead:
    return await act(conversation_service.unassign)


@router.post(
    "/{conversation_id}/transfer",
    response_model=ConversationRead,
    summary="Transfer to another department or agent",
)
async def transfer_conversation(body: TransferRequest, act: ConversationAction) -> ConversationRead:
    return await act(
        conversation_service.transfer,
        department_id=body.department_id,
        user_id=body.user_id,
        reason=body.reason,
    )


@router.post(
    "/{conversation_id}/resolve",
    response_model=ConversationRead,
    summary="Resolve with a closing reason",
)
async def resolve_conversation(body: ResolveRequest, act: ConversationAction) -> ConversationRead:
    return await act(
        conversation_service.resolve,
        closing_reason_id=body.closing_reason_id,
        note=body.note,
    )


@router.post(
    "/{conversation_id}/reopen",
    response_model=ConversationRead,
    summary="Reopen a resolved conversation",
)
async def reopen_conversation(act: ConversationAction) -> ConversationRead:
    return await act(conversation_service.reopen)


@router.post(
    "/{conversation_id}/archive",
    response_model=ConversationRead,
    summary="Archive a resolved conversation",
)
async def archive_conversation(act: ConversationAction) -> ConversationRead:
    return await act(conversation_service.archive)


@router.patch(
    "/{conversation_id}/customer-name",
    response_model=ConversationRead,
    summary="Edit the customer's name",
)
async def rename_customer(body: CustomerNameRequest, act: ConversationAction) -> ConversationRead:
    return await act(conversation_service.rename_customer, body.name)


@router.patch(
    "/{conversation_id}/priority", response_model=ConversationRead, summary="Set the priority"
)
async def set_priority(body: PriorityRequest, act: ConversationAction) -> ConversationRead:
    return await act(conversation_service.set_priority, body.priority)


@router.put(
    "/{conversation_id}/tags",
    response_model=ConversationRead,
    summary="Replace the conversation's tags",
)
async def set_tags(body: TagsRequest, act: ConversationAction) -> ConversationRead:
    return await act(conversation_service.set_tags, body.tag_ids)


@router.get("/{conversation_id}/notes", response_model=list[NoteRead], summary="Internal notes")
async def list_notes(
    conversation_id: uuid.UUID, principal: CurrentUser, session: Session
) -> list[NoteRead]:
    notes = await conversation_service.notes(session, principal, conversation_id)
    return [NoteRead.model_validate(note) for note in notes]


@router.post(
    "/{conversation_id}/notes",
    response_model=NoteRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add an internal note",
)
async def add_note(
    conversation_id: uuid.UUID, body: NoteCreate, principal: CurrentUser, session: Session
) -> NoteRead:
    note = await conversation_service.add_note(session, principal, conversation_id, body.body)
    return NoteRead.model_validate(note)


@router.get(
    "/{conversation_id}/events",
    response_model=list[ConversationEventRead],
    summary="The conversation's history of transitions",
)
async def conversation_history(
    conversation_id: uuid.UUID, principal: CurrentUser, session: Session
) -> list[ConversationEventRead]:
    events = await conversation_service.history(session, principal, conversation_id)
    return [ConversationEventRead.model_validate(event) for event in events]
