from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, field_validator

from nexus.companies.schemas import Timezone, WeeklyHours
from nexus.kit.schemas import HexColor, PatchBody, ReadModel, StrictBody
from nexus.models import MembershipRole, RoutingRule
from nexus.users.schemas import UserRead

Slug = Annotated[
    str,
    Field(min_length=1, max_length=60, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", examples=["suporte"]),
]


class BusinessHours(StrictBody):
    """The department's own hours; without ``timezone`` the company's applies."""

    timezone: Timezone | None = None
    days: WeeklyHours = Field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class DepartmentCreate(StrictBody):
    name: str = Field(min_length=1, max_length=120)
    # Derived from the name when left out.
    slug: Slug | None = None
    color: HexColor | None = None
    is_root: bool = False
    position: int = Field(default=0, ge=0, le=10_000)
    response_timeout_minutes: int = Field(default=5, ge=1, le=1440)
    max_agents: int = Field(default=10, ge=1, le=1000)
    routing_rule: RoutingRule = RoutingRule.least_busy
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    is_active: bool = True


class DepartmentUpdate(PatchBody):
    clearable = frozenset({"color"})

    name: str | None = Field(default=None, min_length=1, max_length=120)
    slug: Slug | None = None
    color: HexColor | None = None
    is_root: bool | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)
    response_timeout_minutes: int | None = Field(default=None, ge=1, le=1440)
    max_agents: int | None = Field(default=None, ge=1, le=1000)
    routing_rule: RoutingRule | None = None
    business_hours: BusinessHours | None = None
    is_active: bool | None = None


class DepartmentRead(ReadModel):
    id: uuid.UUID
    slug: str
    name: str
    color: str | None
    is_root: bool
    position: int
    response_timeout_minutes: int
    max_agents: int
    routing_rule: RoutingRule
    business_hours: dict[str, Any]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class DepartmentMemberIn(StrictBody):
    user_id: uuid.UUID
    role: MembershipRole = MembershipRole.member


class DepartmentMembersUpdate(StrictBody):
    """The department's complete membership: whoever is not listed leaves it."""

    members: list[DepartmentMemberIn] = Field(max_length=500)

    @field_validator("members")
    @classmethod
    def _each_user_once(cls, members: list[DepartmentMemberIn]) -> list[DepartmentMemberIn]:
        if len({member.user_id for member in members}) != len(members):
            raise ValueError("a user is listed more than once")
        return members


class DepartmentAgentRead(UserRead):
    membership_role: MembershipRole
