"""real-time event log (resync after reconnect) and its per-company counter

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# JSONB on PostgreSQL, JSON text on SQLite (as nexus.kit.models.JSONType).
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "realtime_sequences",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_realtime_sequences_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_realtime_sequences")),
    )
    op.create_table(
        "realtime_events",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("to_company", sa.Boolean(), nullable=False),
        sa.Column("department_ids", JSON, nullable=False),
        sa.Column("user_ids", JSON, nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=True),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_realtime_events_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "seq", name=op.f("pk_realtime_events")),
    )
    with op.batch_alter_table("realtime_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_realtime_events_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("realtime_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_realtime_events_created_at"))

    op.drop_table("realtime_events")
    op.drop_table("realtime_sequences")
