"""study time: a cohort's voice study room, members' sessions in it, what its weekly post ranks by, members' weekly goals

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cohorts") as batch:
        batch.add_column(sa.Column("study_room_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("study_time", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("leaderboard_metric", sa.String(length=8), server_default="topics", nullable=False))
    op.create_table(
        "study_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("topic_id", sa.String(length=64), nullable=True),
        sa.Column("stay_started_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name="fk_study_sessions_membership_id_memberships",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name="fk_study_sessions_cohort_id_cohorts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_study_sessions"),
    )
    op.create_index("ix_study_sessions_membership_started", "study_sessions", ["membership_id", "started_at"])
    op.create_index("ix_study_sessions_cohort_started", "study_sessions", ["cohort_id", "started_at"])
    op.create_index("ix_study_sessions_guild_id", "study_sessions", ["guild_id"])
    op.create_index(
        "ix_study_sessions_open",
        "study_sessions",
        ["membership_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )

    op.create_table(
        "weekly_goals",
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("week_start", UTCDateTime(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("topics", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["memberships.id"], name="fk_weekly_goals_membership_id_memberships", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name="fk_weekly_goals_cohort_id_cohorts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("membership_id", "week_start", name="pk_weekly_goals"),
    )
    op.create_index("ix_weekly_goals_cohort_week", "weekly_goals", ["cohort_id", "week_start"])


def downgrade() -> None:
    op.drop_table("weekly_goals")
    op.drop_table("study_sessions")
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("leaderboard_metric")
        batch.drop_column("study_time")
        batch.drop_column("study_room_id")
