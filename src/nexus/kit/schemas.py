from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class StrictBody(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error instead of a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PatchBody(StrictBody):
    """A partial update: absent fields keep their value. ``null`` clears only the fields
    named in ``clearable``; the others have no empty state, so a null is refused rather
    than written into a NOT NULL column."""

    clearable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _null_only_where_clearable(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.clearable:
            raise ValueError("may not be null")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, nested models included."""
        return self.model_dump(exclude_unset=True)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# "#rrggbb", stored lower-case so equal colours compare equal.
HexColor = Annotated[
    str, Field(pattern=r"^#[0-9a-fA-F]{6}$", examples=["#64748b"]), AfterValidator(str.lower)
]
