from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import APIRouter

from nexus.auth.dependencies import AdminUser, CurrentUser, Session
from nexus.conversations.schemas import ConversationRead
from nexus.conversations.service import conversation_service
from nexus.departments.repository import DepartmentRepository
from nexus.departments.schemas import (
    DepartmentAgentRead,
    DepartmentCreate,
    DepartmentMembersUpdate,
    DepartmentRead,
    DepartmentUpdate,
)
from nexus.departments.service import department_service
from nexus.kit.routes import ERROR_RESPONSES, ResourceRoutes, by_id
from nexus.models import Department

router = APIRouter(prefix="/api/departments", tags=["departments"], responses=ERROR_RESPONSES)


async def _departments(
    principal: CurrentUser, session: Session, is_active: bool | None = None
) -> Sequence[Department]:
    return await DepartmentRepository(session, principal.company_id).search(is_active=is_active)


routes = ResourceRoutes(
    router, name="department", plural="departments", read=DepartmentRead, editor=AdminUser
)
routes.add_list(_departments, summary="List the company's departments")
routes.add_create(
    DepartmentCreate, department_service.create, summary="Create a department (admin)"
)
routes.add_get(by_id(DepartmentRepository), summary="One department")
routes.add_update(
    DepartmentUpdate, department_service.update, summary="Update a department (admin)"
)
routes.add_delete(
    department_service.delete, summary="Delete a department without conversations (admin)"
)


@router.get(
    "/{department_id}/agents",
    response_model=list[DepartmentAgentRead],
    summary="The department's members with their role and presence",
)
async def list_department_agents(
    department_id: uuid.UUID, principal: CurrentUser, session: Session
) -> list[DepartmentAgentRead]:
    return await department_service.agents(session, principal, department_id)


@router.put(
    "/{department_id}/members",
    response_model=list[DepartmentAgentRead],
    summary="Replace the department's members (admin)",
)
async def set_department_members(
    department_id: uuid.UUID,
    body: DepartmentMembersUpdate,
    principal: AdminUser,
    session: Session,
) -> list[DepartmentAgentRead]:
    await department_service.set_members(session, principal, department_id, body)
    return await department_service.agents(session, principal, department_id)


@router.get(
    "/{department_id}/queue",
    response_model=list[ConversationRead],
    summary="The department's waiting conversations, oldest first",
)
async def department_queue(
    department_id: uuid.UUID, principal: CurrentUser, session: Session
) -> list[ConversationRead]:
    await DepartmentRepository(session, principal.company_id).get_or_404(department_id)
    waiting = await conversation_service.queue(session, principal, department_id)
    return await conversation_service.to_read_many(session, principal.company_id, waiting)
