"""progress events record the stage they finish

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 09:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = ["cohort_id", "at", "kind", "membership_id", "topic_id"]


def upgrade() -> None:
    # A done or skip that covered the last open topic of a stage names that stage: the leaderboard's
    # "finished a stage" reads it from the same covering index. Older events stay NULL: which of them
    # finished a stage depended on history this migration cannot replay without the roadmap files.
    with op.batch_alter_table("progress_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completes_stage", sa.String(length=64), nullable=True))
        batch_op.drop_index("ix_progress_events_cohort_at")
        batch_op.create_index("ix_progress_events_cohort_at", [*_OLD, "completes_stage"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("progress_events", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_events_cohort_at")
        batch_op.create_index("ix_progress_events_cohort_at", _OLD, unique=False)
        batch_op.drop_column("completes_stage")
