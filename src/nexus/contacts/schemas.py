from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, EmailStr, Field

from nexus.contacts.phone import to_e164
from nexus.kit.schemas import PatchBody, ReadModel, StrictBody

# Validated here so a bad number is a 422 naming the "phone" field.
Phone = Annotated[
    str, Field(min_length=3, max_length=32, examples=["+55 11 98765-4321"]), AfterValidator(to_e164)
]
CustomFieldValue = Annotated[str, Field(max_length=1000)] | bool | int | float
CustomFields = Annotated[
    dict[Annotated[str, Field(min_length=1, max_length=64)], CustomFieldValue],
    Field(max_length=50),
]
TagIds = Annotated[list[uuid.UUID], Field(max_length=50)]


class ContactCreate(StrictBody):
    phone: Phone
    name: str | None = Field(default=None, min_length=1, max_length=160)
    email: EmailStr | None = None
    custom_fields: CustomFields = Field(default_factory=dict)
    opt_out: bool = False
    tag_ids: TagIds = Field(default_factory=list)


class ContactUpdate(PatchBody):
    """``custom_fields`` and ``tag_ids`` replace the stored ones whole."""

    clearable = frozenset({"name", "email"})

    phone: Phone | None = None
    name: str | None = Field(default=None, min_length=1, max_length=160)
    email: EmailStr | None = None
    custom_fields: CustomFields | None = None
    opt_out: bool | None = None
    tag_ids: TagIds | None = None


class ContactRead(ReadModel):
    id: uuid.UUID
    name: str | None
    phone: str | None
    email: str | None
    avatar_url: str | None
    custom_fields: dict[str, Any]
    opt_out: bool
    is_group: bool
    # Set on a record merged into another (the same person under two ids).
    merged_into_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    tag_ids: list[uuid.UUID] = Field(default_factory=list)
