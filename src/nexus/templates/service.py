"""Message templates (K4): what a Cloud API number may send outside the 24-hour window (M7).
They live at Meta, approved per WhatsApp Business Account; Nexus reads them when an agent
picks one and sends them through POST /api/messages/send-template."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nexus.auth.dependencies import Principal
from nexus.channels import ChannelError
from nexus.channels.outbound import Template
from nexus.connections.adapters import adapter_of
from nexus.connections.repository import ConnectionRepository
from nexus.connections.sessions import api_error


class TemplateService:
    async def approved(
        self, session: AsyncSession, principal: Principal, connection_id: uuid.UUID
    ) -> list[Template]:
        connection = await ConnectionRepository(session, principal.company_id).get_or_404(
            connection_id
        )
        try:
            return await adapter_of(connection).list_templates()
        except ChannelError as exc:
            raise api_error(exc) from exc


template_service = TemplateService()
