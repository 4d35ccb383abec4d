"""Careful reading of untrusted provider JSON.

Webhook bodies are authentic (signature checked) but their shape varies by provider
version; a missing or oddly typed field must degrade to "absent", never crash the parse
of a whole batch.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from nexus.channels.errors import MalformedWebhook


def load_json(raw_body: bytes) -> Any:
    try:
        return json.loads(raw_body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedWebhook(f"webhook body is not JSON: {exc}") from exc


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def objs(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def opt_str(value: Any) -> str | None:
    """A string, or a number as text (ids are numbers in some payloads); "" stays ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return None


def non_empty(value: Any) -> str | None:
    text = opt_str(value)
    return text if text else None


def opt_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    # Baileys' Long values sometimes arrive as {"low": n, "high": 0, "unsigned": true}.
    if isinstance(value, dict):
        low, high = value.get("low"), value.get("high", 0)
        if isinstance(low, int) and isinstance(high, int):
            return high * 2**32 + (low & 0xFFFFFFFF)
    return None


def opt_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def epoch(value: Any, *, millis: bool = False) -> datetime | None:
    seconds = opt_float(value) if not isinstance(value, dict) else opt_int(value)
    if seconds is None or seconds <= 0:
        return None
    if millis:
        seconds = seconds / 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def iso(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def now() -> datetime:
    """Receipt time, for events whose provider gives no timestamp."""
    return datetime.now(UTC)


def digest(value: Any) -> str:
    """A stable id for an event the provider gives no id: same content, same digest, so a
    redelivery of the same body is still recognised as a duplicate."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]
