"""What autogenerate must not see: the full-text indexes made by hand per dialect."""

from __future__ import annotations

from typing import Any

HIDDEN_COLUMNS = {("messages", "search_vector")}


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if type_ == "table" and name is not None and name.startswith("messages_fts"):
        return False
    if type_ == "column":
        table = parent_names.get("table_name") if isinstance(parent_names, dict) else None
        return (table, name) not in HIDDEN_COLUMNS
    if type_ == "index" and name == "ix_messages_search_vector":
        return False
    return True
