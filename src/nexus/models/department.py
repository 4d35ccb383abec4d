from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nexus.kit.models import Base, TenantModel, str_enum, utc_now


class RoutingRule(StrEnum):
    least_busy = "least_busy"
    round_robin = "round_robin"
    manual = "manual"


class MembershipRole(StrEnum):
    member = "member"
    supervisor = "supervisor"


class Department(TenantModel):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("company_id", "slug"),)

    slug: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    color: Mapped[str | None] = mapped_column(String(16), default=None)
    is_root: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    response_timeout_minutes: Mapped[int] = mapped_column(default=5)
    max_agents: Mapped[int] = mapped_column(default=10)
    routing_rule: Mapped[RoutingRule] = mapped_column(
        str_enum(RoutingRule), default=RoutingRule.least_busy
    )
    # {"timezone": "...", "days": {"mon": [["08:00","18:00"]], ...}}; empty = always open.
    business_hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_active: Mapped[bool] = mapped_column(default=True)


class DepartmentMember(Base):
    """An agent's membership of a department, or a supervisor's charge of it."""

    __tablename__ = "department_members"

    department_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MembershipRole] = mapped_column(
        str_enum(MembershipRole), default=MembershipRole.member
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
