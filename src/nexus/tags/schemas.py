from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from nexus.kit.schemas import HexColor, PatchBody, ReadModel, StrictBody


class TagCreate(StrictBody):
    name: str = Field(min_length=1, max_length=60)
    color: HexColor | None = None


class TagUpdate(PatchBody):
    clearable = frozenset({"color"})

    name: str | None = Field(default=None, min_length=1, max_length=60)
    color: HexColor | None = None


class TagRead(ReadModel):
    id: uuid.UUID
    name: str
    color: str | None
    created_at: datetime
