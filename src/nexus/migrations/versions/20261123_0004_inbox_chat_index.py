"""inbox: an index for "the oldest due pending event of a chat"

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:00:00

``inbox.next_events_of_chat`` runs inside the write lock for every processed event. With only
the (status, next_attempt_at) index it sorted every pending row of every chat: 1.3 ms per
query with 1,000 pending of 20,000 rows, growing with the backlog; 0.5 ms with this index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_events") as batch:
        batch.create_index(
            "ix_inbound_events_chat_queue",
            ["connection_id", "ordering_key", "status", "received_at"],
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_events") as batch:
        batch.drop_index("ix_inbound_events_chat_queue")
