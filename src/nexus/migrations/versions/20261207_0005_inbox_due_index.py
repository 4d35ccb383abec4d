"""inbox: an index for "the oldest due events", across chats

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 07:40:00

The inbox job reads the oldest due events across chats for every batch (decision 0006).
With only the (status, next_attempt_at) index SQLite sorted every pending row: 2.4 ms per
read with 20,000 pending, growing with the backlog; 0.02 ms walking this index, whatever
the backlog. The walk needs ``next_attempt_at`` set on every row (it always was; now the
column says so). SQLite's planner, without statistics, preferred the (status,
next_attempt_at) index and sorted, so that index goes; the sweep's "any overdue event"
walks the new one. The per-chat index of 0004 has no query left.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE inbound_events SET next_attempt_at = received_at WHERE next_attempt_at IS NULL"
    )
    with op.batch_alter_table("inbound_events") as batch:
        batch.alter_column(
            "next_attempt_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch.drop_index("ix_inbound_events_chat_queue")
        batch.drop_index("ix_inbound_events_status_inbound_events_next_attempt_at")
        batch.create_index("ix_inbound_events_due", ["status", "received_at", "id"])


def downgrade() -> None:
    with op.batch_alter_table("inbound_events") as batch:
        batch.drop_index("ix_inbound_events_due")
        batch.create_index(
            "ix_inbound_events_status_inbound_events_next_attempt_at",
            ["status", "next_attempt_at"],
        )
        batch.create_index(
            "ix_inbound_events_chat_queue",
            ["connection_id", "ordering_key", "status", "received_at"],
        )
        batch.alter_column(
            "next_attempt_at", existing_type=sa.DateTime(timezone=True), nullable=True
        )
