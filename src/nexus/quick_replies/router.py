from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from nexus.auth.dependencies import CurrentUser, Principal, Session, SupervisorUser
from nexus.kit.routes import ERROR_RESPONSES, ResourceRoutes
from nexus.models import QuickReply
from nexus.quick_replies.repository import QuickReplyRepository
from nexus.quick_replies.schemas import QuickReplyCreate, QuickReplyRead, QuickReplyUpdate
from nexus.quick_replies.service import quick_reply_service

router = APIRouter(prefix="/api/quick-replies", tags=["quick-replies"], responses=ERROR_RESPONSES)


async def _visible_replies(
    principal: CurrentUser,
    session: Session,
    search: Annotated[
        str | None,
        Query(max_length=100, description='Shortcut prefix ("/bo") or part of the content'),
    ] = None,
    department_id: uuid.UUID | None = None,
) -> Sequence[QuickReply]:
    return await QuickReplyRepository(session, principal.company_id).search(
        principal, search=search, department_id=department_id
    )


async def _visible_reply(
    session: AsyncSession, principal: Principal, quick_reply_id: uuid.UUID
) -> QuickReply:
    return await QuickReplyRepository(session, principal.company_id).get_visible_or_404(
        principal, quick_reply_id
    )


routes = ResourceRoutes(
    router, name="quick_reply", plural="quick_replies", read=QuickReplyRead, editor=SupervisorUser
)
routes.add_list(
    _visible_replies, summary="The quick replies I can use, by shortcut prefix or content"
)
routes.add_create(
    QuickReplyCreate, quick_reply_service.create, summary="Create a quick reply (admin, supervisor)"
)
routes.add_get(_visible_reply, summary="One quick reply")
routes.add_update(
    QuickReplyUpdate, quick_reply_service.update, summary="Update a quick reply (admin, supervisor)"
)
routes.add_delete(quick_reply_service.delete, summary="Delete a quick reply (admin, supervisor)")
