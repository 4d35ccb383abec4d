"""Keyset (cursor) pagination: stable under inserts, constant cost at any depth."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from nexus.kit.errors import ValidationFailed

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(
        [
            v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, uuid.UUID) else v
            for v in values
        ]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, size: int, field: str = "cursor") -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed.field(field, "Invalid cursor.") from exc
    if not isinstance(values, list) or len(values) != size:
        raise ValidationFailed.field(field, "Invalid cursor.")
    return values


def parse_cursor_datetime(value: Any, *, field: str = "cursor") -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationFailed.field(field, "Invalid cursor.") from exc


def parse_cursor_uuid(value: Any, *, field: str = "cursor") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationFailed.field(field, "Invalid cursor.") from exc


def decode_time_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """The ``(created_at, id)``-style position a page ends at, from ``encode_cursor(at, id)``."""
    if not cursor:
        return None
    at, id = decode_cursor(cursor, size=2)
    return parse_cursor_datetime(at), parse_cursor_uuid(id)


def page_of(rows: Sequence[T], limit: int, cursor_of: Any) -> tuple[list[T], str | None]:
    """Split ``limit + 1`` fetched rows into a page and the cursor of the next one."""
    items = list(rows[:limit])
    next_cursor = cursor_of(items[-1]) if len(rows) > limit and items else None
    return items, next_cursor
