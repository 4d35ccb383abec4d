from __future__ import annotations

import uuid
from datetime import datetime
from string import Formatter
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from nexus.kit.schemas import PatchBody, ReadModel


def _known_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError("not an IANA time zone name (e.g. America/Sao_Paulo)") from exc
    return name


Timezone = Annotated[
    str, Field(max_length=64, examples=["America/Sao_Paulo"]), AfterValidator(_known_timezone)
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["08:00"])]


def _starts_before_it_ends(interval: tuple[str, str]) -> tuple[str, str]:
    start, end = interval
    if start >= end:  # zero-padded "HH:MM" strings sort like the times they name
        raise ValueError("an interval must start before it ends")
    return interval


OpeningInterval = Annotated[tuple[ClockTime, ClockTime], AfterValidator(_starts_before_it_ends)]
# {"mon": [["08:00", "12:00"], ["13:00", "18:00"]], ...}: a day left out is closed, and no
# days at all means always open (``bot.hours.is_open``).
WeeklyHours = dict[Weekday, Annotated[list[OpeningInterval], Field(max_length=12)]]


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


class CompanyUpdate(PatchBody):
    name: str | None = Field(default=None, min_length=2, max_length=120)
    timezone: Timezone | None = None


# The names the bot fills in; any other ``{name}`` would make formatting the text fail.
BOT_PLACEHOLDERS = frozenset({"company", "department", "menu", "agent"})


class BotTextsPatch(BotTexts):
    """Only the texts given are replaced."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _usable_text(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("may not be empty")
        if len(text) > 4096:
            raise ValueError("at most 4096 characters (WhatsApp's limit)")
        try:
            names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise ValueError("unbalanced braces; write {{ or }} for a literal brace") from exc
        if unknown := names - BOT_PLACEHOLDERS:
            allowed = ", ".join(f"{{{name}}}" for name in sorted(BOT_PLACEHOLDERS))
            given = ", ".join(f"{{{name}}}" for name in sorted(unknown))
            raise ValueError(f"unknown placeholder {given}; use {allowed}")
        return text


class ConversationRulesPatch(ConversationRules):
    """Only the rules given are replaced."""

    model_config = ConfigDict(extra="forbid")


class SettingsUpdate(CompanyUpdate):
    """Texts and rules are merged into the stored ones; ``business_hours`` is one schedule
    and is replaced whole (``{}`` means always open)."""

    bot: BotTextsPatch | None = None
    conversations: ConversationRulesPatch | None = None
    business_hours: WeeklyHours | None = None


class SettingsRead(CompanySettings, CompanyRead):
    """The company and its settings, as one document."""
