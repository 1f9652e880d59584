"""study together: topic threads, stage roles, project showcase, stage events (cohort settings, the Discord objects they use, shares)

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
        batch.add_column(sa.Column("stage_roles", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("showcase", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("events", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "cohort_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("discord_id", sa.BigInteger(), nullable=True),
        sa.Column("chosen", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_cohort_links_cohort_id_cohorts"),
        sa.PrimaryKeyConstraint("id", name="pk_cohort_links"),
        sa.UniqueConstraint("cohort_id", "kind", "key", name="uq_cohort_links_cohort_id"),
    )

    op.create_table(
        "project_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=512), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("shared_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_project_shares_cohort_id_cohorts"),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["memberships.id"], name="fk_project_shares_membership_id_memberships"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_project_shares"),
        sa.UniqueConstraint("membership_id", "stage_id", name="uq_project_shares_membership_id"),
    )
    op.create_index("ix_project_shares_cohort", "project_shares", ["cohort_id", "shared_at"])


def downgrade() -> None:
    op.drop_index("ix_project_shares_cohort", table_name="project_shares")
    op.drop_table("project_shares")
    op.drop_table("cohort_links")
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("events")
        batch.drop_column("showcase")
        batch.drop_column("stage_roles")
        batch.drop_column("threads")
