"""leaderboards read per-member tallies, not the history

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STAGE_ENDS = sa.text("completes_stage IS NOT NULL")


def upgrade() -> None:
    # The all-time count is plain SQL and is filled here. The weekly tallies depend on each cohort's
    # week in its timezone (Python): `tallied_week` stays NULL and start-up counts them.
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("done_count", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("last_done_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tallied_week", sa.String(length=80), nullable=True))
    op.execute(
        "UPDATE memberships SET"
        " done_count = (SELECT count(*) FROM progress_events e WHERE e.membership_id = memberships.id"
        " AND e.kind = 'done'),"
        " last_done_at = (SELECT max(e.at) FROM progress_events e WHERE e.membership_id = memberships.id"
        " AND e.kind = 'done')"
    )
    op.create_table(
        "weekly_tallies",
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("week_start", UTCDateTime(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("reached_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name="fk_weekly_tallies_cohort_id_cohorts", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name="fk_weekly_tallies_membership_id_memberships",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("membership_id", "week_start", name="pk_weekly_tallies"),
    )
    op.create_index(
        "ix_weekly_tallies_cohort_id",
        "weekly_tallies",
        ["cohort_id", "week_start", "done", "reached_at", "membership_id"],
        unique=False,
    )
    op.create_index(
        "ix_progress_events_stage_ends",
        "progress_events",
        ["cohort_id", "at"],
        unique=False,
        sqlite_where=_STAGE_ENDS,
        postgresql_where=_STAGE_ENDS,
    )


def downgrade() -> None:
    op.drop_index("ix_progress_events_stage_ends", table_name="progress_events")
    op.drop_index("ix_weekly_tallies_cohort_id", table_name="weekly_tallies")
    op.drop_table("weekly_tallies")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_column("tallied_week")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("last_done_at")
        batch_op.drop_column("done_count")
