from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from nexus.kit.schemas import StrictBody
from nexus.models import MembershipRole, PresenceStatus, UserRole


class Membership(BaseModel):
    department_id: uuid.UUID
    role: MembershipRole


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    company_id: uuid.UUID
    email: str
    name: str
    role: UserRole
    is_active: bool
    locale: str
    max_conversations: int
    presence: PresenceStatus
    last_heartbeat_at: datetime | None
    created_at: datetime
    departments: list[Membership] = Field(default_factory=list)


class UserCreate(StrictBody):
    email: EmailStr
    name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=8, max_length=128)
    role: UserRole = UserRole.agent
    locale: str = Field(default="pt-BR", pattern=r"^(pt-BR|en)$")
    max_conversations: int = Field(default=5, ge=1, le=100)
    departments: list[Membership] = Field(default_factory=list, max_length=50)


class UserUpdate(StrictBody):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    email: EmailStr | None = None
    password: str | None = Field(default=None, min_length=8, max_length=128)
    role: UserRole | None = None
    is_active: bool | None = None
    locale: str | None = Field(default=None, pattern=r"^(pt-BR|en)$")
    max_conversations: int | None = Field(default=None, ge=1, le=100)
    departments: list[Membership] | None = Field(default=None, max_length=50)


class PresenceUpdate(StrictBody):
    status: PresenceStatus
