"""Business hours (R6): ``{"timezone": "America/Sao_Paulo", "days": {"mon": [["08:00",
"18:00"]], …}}``. No days configured means always open."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def is_open(hours: dict[str, Any], at: datetime, default_timezone: str) -> bool:
    days = hours.get("days") or {}
    if not days:
        return True
    try:
        zone = ZoneInfo(hours.get("timezone") or default_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = at.astimezone(zone)
    now = local.time()
    for start, end in days.get(DAY_KEYS[local.weekday()], []):
        if _parse(start) <= now < _parse(end):
            return True
    return False
