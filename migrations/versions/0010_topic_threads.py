"""topic threads: a cohort setting and one thread per topic

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 19:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cohorts") as batch:
        batch.add_column(sa.Column("threads", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "topic_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_topic_threads_cohort_id_cohorts"),
        sa.PrimaryKeyConstraint("id", name="pk_topic_threads"),
        sa.UniqueConstraint("cohort_id", "topic_id", name="uq_topic_threads_cohort_id"),
    )


def downgrade() -> None:
    op.drop_table("topic_threads")
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("threads")
