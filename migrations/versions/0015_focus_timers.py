"""focus timers: pomodoro cycles as rows, who is in each, and where a study row came from

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cohorts") as batch:
        batch.add_column(sa.Column("focus", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("study_sessions") as batch:
        batch.add_column(sa.Column("source", sa.String(length=8), server_default="room", nullable=False))
    op.create_table(
        "focus_timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("room_id", sa.BigInteger(), nullable=True),
        sa.Column("focus_minutes", sa.Integer(), nullable=False),
        sa.Column("break_minutes", sa.Integer(), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("bells_rung", sa.Integer(), nullable=False),
        sa.Column("next_bell_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name="fk_focus_timers_cohort_id_cohorts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_focus_timers"),
    )
    op.create_index("ix_focus_timers_cohort_id", "focus_timers", ["cohort_id"])
    op.create_index("ix_focus_timers_next_bell_at", "focus_timers", ["next_bell_at"])
    op.create_table(
        "focus_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timer_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("left_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["timer_id"], ["focus_timers.id"], name="fk_focus_participants_timer_id_focus_timers", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name="fk_focus_participants_membership_id_memberships",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_focus_participants"),
    )
    op.create_index("ix_focus_participants_timer_id", "focus_participants", ["timer_id"])
    op.create_index(
        "ix_focus_participants_open",
        "focus_participants",
        ["membership_id"],
        unique=True,
        sqlite_where=sa.text("left_at IS NULL"),
        postgresql_where=sa.text("left_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("focus_participants")
    op.drop_table("focus_timers")
    with op.batch_alter_table("study_sessions") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("focus")
