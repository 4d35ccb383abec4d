from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from nexus.kit.schemas import PatchBody, ReadModel, StrictBody


def _without_slash(value: Any) -> Any:
    # Agents type "/oi" in the composer; the stored shortcut is "oi".
    return value.strip().removeprefix("/") if isinstance(value, str) else value


Shortcut = Annotated[
    str,
    BeforeValidator(_without_slash),
    Field(pattern=r"^[a-z0-9_-]{1,40}$", examples=["bom-dia"]),
]
# What the composer fills in when an agent picks a reply (web/src/features/inbox/Composer.tsx,
# fillQuickReply): the agent's and the customer's names, as in the bot's texts.
QUICK_REPLY_PLACEHOLDERS = frozenset({"agent", "customer"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _known_placeholders(text: str) -> str:
    if unknown := sorted(set(_PLACEHOLDER.findall(text)) - QUICK_REPLY_PLACEHOLDERS):
        allowed = ", ".join(f"{{{name}}}" for name in sorted(QUICK_REPLY_PLACEHOLDERS))
        given = ", ".join(f"{{{name}}}" for name in unknown)
        raise ValueError(f"unknown placeholder {given}; use {allowed}")
    return text


Content = Annotated[str, Field(min_length=1, max_length=4096), AfterValidator(_known_placeholders)]


class QuickReplyCreate(StrictBody):
    shortcut: Shortcut
    content: Content
    # None: for the whole company; otherwise only that department's agents see it.
    department_id: uuid.UUID | None = None


class QuickReplyUpdate(PatchBody):
    clearable = frozenset({"department_id"})

    shortcut: Shortcut | None = None
    content: Content | None = None
    department_id: uuid.UUID | None = None


class QuickReplyRead(ReadModel):
    id: uuid.UUID
    shortcut: str
    content: str
    department_id: uuid.UUID | None
    created_by_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
