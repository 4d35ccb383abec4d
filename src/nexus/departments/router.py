from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

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
from nexus.kit.errors import ErrorResponse

router = APIRouter(
    prefix="/api/departments",
    tags=["departments"],
    responses={
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)


@router.get("", response_model=list[DepartmentRead], summary="List the company's departments")
async def list_departments(
    principal: CurrentUser, session: Session, is_active: bool | None = None
) -> list[DepartmentRead]:
    departments = await DepartmentRepository(session, principal.company_id).search(
        is_active=is_active
    )
    return [DepartmentRead.model_validate(department) for department in departments]


@router.post(
    "",
    response_model=DepartmentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a department (admin)",
)
async def create_department(
    body: DepartmentCreate, principal: AdminUser, session: Session
) -> DepartmentRead:
    department = await department_service.create(session, principal, body)
    return DepartmentRead.model_validate(department)


@router.get("/{department_id}", response_model=DepartmentRead, summary="One department")
async def get_department(
    department_id: uuid.UUID, principal: CurrentUser, session: Session
) -> DepartmentRead:
    department = await DepartmentRepository(session, principal.company_id).get_or_404(department_id)
    return DepartmentRead.model_validate(department)


@router.patch(
    "/{department_id}", response_model=DepartmentRead, summary="Update a department (admin)"
)
async def update_department(
    department_id: uuid.UUID, body: DepartmentUpdate, principal: AdminUser, session: Session
) -> DepartmentRead:
    department = await department_service.update(session, principal, department_id, body)
    return DepartmentRead.model_validate(department)


@router.delete(
    "/{department_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a department without conversations (admin)",
)
async def delete_department(
    department_id: uuid.UUID, principal: AdminUser, session: Session
) -> Response:
    await department_service.delete(session, principal, department_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


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
