from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from nexus.kit.schemas import ReadModel


class AuditEntryRead(ReadModel):
    sequence: int
    actor_id: uuid.UUID | None
    actor_email: str | None
    action: str
    target_type: str | None
    target_id: str | None
    ip_address: str | None
    data: dict[str, Any]
    created_at: datetime


class ChainReport(BaseModel):
    """Whether the company's audit chain is intact; ``broken_at`` is the first bad sequence."""

    intact: bool
    broken_at: int | None
    entries: int
