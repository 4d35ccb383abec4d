from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from nexus.auth.dependencies import CurrentUser, Session
from nexus.kit.errors import ErrorResponse
from nexus.kit.routes import ERROR_RESPONSES
from nexus.templates.schemas import TemplateButtonRead, TemplateRead
from nexus.templates.service import template_service

PROVIDER_ERROR: dict[int | str, dict[str, Any]] = {
    502: {"model": ErrorResponse, "description": "The provider refused or failed"}
}
router = APIRouter(
    prefix="/api/templates", tags=["templates"], responses={**ERROR_RESPONSES, **PROVIDER_ERROR}
)


@router.get(
    "",
    response_model=list[TemplateRead],
    summary="The approved message templates of a connection (Cloud API numbers with waba_id)",
)
async def list_templates(
    connection_id: uuid.UUID, principal: CurrentUser, session: Session
) -> list[TemplateRead]:
    templates = await template_service.approved(session, principal, connection_id)
    return [
        TemplateRead(
            name=template.name,
            language=template.language,
            category=template.category,
            header_format=template.header_format,
            header=template.header,
            header_parameters=list(template.header_parameters),
            body=template.body,
            footer=template.footer,
            parameters=list(template.body_parameters),
            named_parameters=template.named_parameters,
            buttons=[
                TemplateButtonRead(
                    index=button.index,
                    type=button.kind,
                    text=button.text,
                    url=button.url,
                )
                for button in template.buttons
            ],
            supported=template.supported,
        )
        for template in templates
    ]
