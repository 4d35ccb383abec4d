"""Full-text search of message bodies: FTS5 on SQLite, a tsvector on PostgreSQL (M5).

Both indexes are created by migration 0003 and are invisible to the models (autogenerate
skips them, see ``migrations/filters.py``). Queries are the user's words, each matched as a
prefix, all required, with accents ignored on both databases (FTS5's ``remove_diacritics``;
``unaccent`` on PostgreSQL, migration 0006).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

_WORD = re.compile(r"\w+", re.UNICODE)


def words(query: str) -> list[str]:
    return _WORD.findall(query.lower())[:12]


def message_match(session: AsyncSession, query: str) -> ColumnElement[bool]:
    """A condition true for the messages matching every word of ``query``."""
    terms = words(query)
    if not terms:
        return literal_column("1") == literal_column("0")
    if session.get_bind().dialect.name == "postgresql":
        tsquery = " & ".join(f"{term}:*" for term in terms)
        # Folded as the indexed content is (migration 0006): accents never decide a match.
        return literal_column("messages.search_vector").op("@@")(
            text("to_tsquery('simple', nexus_search_fold(:tsquery))").bindparams(tsquery=tsquery)
        )
    fts_query = " ".join(f'"{term}"*' for term in terms)
    matching_rows: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text("messages_fts"))
        .where(text("messages_fts MATCH :fts_query").bindparams(fts_query=fts_query))
    )
    return literal_column("messages.rowid").in_(matching_rows)
