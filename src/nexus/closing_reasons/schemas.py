from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from nexus.kit.schemas import PatchBody, ReadModel, StrictBody


class ClosingReasonCreate(StrictBody):
    name: str = Field(min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=500)
    position: int = Field(default=0, ge=0, le=10_000)
    is_active: bool = True


class ClosingReasonUpdate(PatchBody):
    clearable = frozenset({"description"})

    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=500)
    position: int | None = Field(default=None, ge=0, le=10_000)
    is_active: bool | None = None


class ClosingReasonRead(ReadModel):
    id: uuid.UUID
    name: str
    description: str | None
    position: int
    is_active: bool
    is_system: bool
    created_at: datetime
