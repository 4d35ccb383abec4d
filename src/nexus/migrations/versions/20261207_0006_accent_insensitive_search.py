"""message search ignores accents on PostgreSQL, as it does on SQLite

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 21:00:00

SQLite's FTS5 index (migration 0003) folds diacritics (``remove_diacritics 2``); the
PostgreSQL tsvector did not, so "nao" found "Não" on one database and not on the other. The
tsvector is now built from the content with its accents removed by ``unaccent``, and queries
are folded the same way (``kit/search.py``).

``unaccent()`` is STABLE (its dictionary can change), and a generated column takes only
IMMUTABLE expressions: ``nexus_search_fold`` is the usual immutable wrapper, naming the
dictionary with its schema so that it does not depend on the caller's search path.
``unaccent`` is a trusted extension: the database's owner may create it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_VECTOR = (
    "ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple', {content})) STORED"
)
INDEX = "CREATE INDEX ix_messages_search_vector ON messages USING gin (search_vector)"
DROP_VECTOR = [
    "DROP INDEX IF EXISTS ix_messages_search_vector",
    "ALTER TABLE messages DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema = op.get_bind().scalar(
        sa.text(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
        )
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION nexus_search_fold(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        f'$$ SELECT "{schema}".unaccent(\'"{schema}".unaccent\'::regdictionary, value) $$'
    )
    for statement in DROP_VECTOR:
        op.execute(statement)
    op.execute(SEARCH_VECTOR.format(content="nexus_search_fold(coalesce(content, ''))"))
    op.execute(INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in DROP_VECTOR:
        op.execute(statement)
    op.execute(SEARCH_VECTOR.format(content="coalesce(content, '')"))
    op.execute(INDEX)
    op.execute("DROP FUNCTION IF EXISTS nexus_search_fold(text)")
