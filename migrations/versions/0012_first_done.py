"""a topic counts once: progress events say which done is the member's first of its topic

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 12:00:00

The counts kept from the history are counted again: each membership's all-time count and its last
counted moment, and every cohort's weekly tallies (`tallied_week` cleared: recounted at start-up).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("progress_events") as batch:
        batch.add_column(sa.Column("first_done", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        """
        UPDATE progress_events SET first_done = TRUE
        WHERE kind = 'done' AND id = (
            SELECT min(e.id) FROM progress_events e
            WHERE e.membership_id = progress_events.membership_id AND e.topic_id = progress_events.topic_id
              AND e.kind = 'done'
        )
        """
    )
    op.execute(
        """
        UPDATE memberships SET
            done_count = (SELECT count(*) FROM progress_events e WHERE e.membership_id = memberships.id AND e.first_done),
            last_done_at = (SELECT max(e.at) FROM progress_events e WHERE e.membership_id = memberships.id AND e.first_done)
        """
    )
    op.execute("UPDATE cohorts SET tallied_week = NULL")


def downgrade() -> None:
    with op.batch_alter_table("progress_events") as batch:
        batch.drop_column("first_done")
    op.execute("UPDATE cohorts SET tallied_week = NULL")
