from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from nexus.kit.schemas import ReadModel, StrictBody


class BotTexts(BaseModel):
    """Customer-facing texts, per company. Placeholders: {company}, {department}, {menu}."""

    greeting: str = "Bem-vindo à {company}! 👋"
    menu_prompt: str = "Escolha o departamento:\n{menu}\n\nDigite o número da opção desejada."
    invalid_option: str = "Opção inválida. Por favor, escolha uma das opções abaixo."
    return_prompt: str = "Olá de novo! Deseja falar com {department} novamente? (SIM/NÃO)"
    queued: str = (
        "Obrigado! Você está na fila de {department}. Em breve um atendente falará com você."
    )
    assigned: str = "Você está sendo atendido por {agent}."
    transferred: str = "Sua conversa foi transferida para {department}. Aguarde um momento."
    out_of_hours: str = (
        "Nosso horário de atendimento terminou. Deixe sua mensagem e responderemos assim que "
        "possível."
    )
    resolved: str = "Atendimento encerrado. Obrigado pelo contato!"


class ConversationRules(BaseModel):
    require_closing_reason: bool = True
    # A customer message this soon after resolution reopens the conversation instead of
    # opening a new one (0: always a new one).
    reopen_window_minutes: int = Field(default=0, ge=0, le=1440)
    idle_expiry_hours: int = Field(default=24, ge=1, le=720)
    menu_timeout_seconds: int = Field(default=120, ge=30, le=3600)
    heartbeat_timeout_seconds: int = Field(default=120, ge=30, le=3600)
    send_resolved_text: bool = False


class CompanySettings(BaseModel):
    bot: BotTexts = Field(default_factory=BotTexts)
    conversations: ConversationRules = Field(default_factory=ConversationRules)
    # Company-wide business hours; a department's own hours take precedence.
    business_hours: dict[str, list[list[str]]] = Field(default_factory=dict)


class CompanyRead(ReadModel):
    id: uuid.UUID
    name: str
    slug: str
    timezone: str
    created_at: datetime


class CompanyUpdate(StrictBody):
    name: str | None = Field(default=None, min_length=2, max_length=120)
    timezone: str | None = Field(default=None, max_length=64)
