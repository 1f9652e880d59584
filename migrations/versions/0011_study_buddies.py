"""study buddies: the cohort setting, each member's opt-in, and the weekly groups

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 21:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cohorts") as batch:
        batch.add_column(sa.Column("buddies", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(sa.Column("buddy_opt_in", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "buddy_matches",
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("group_no", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_buddy_matches_cohort_id_cohorts"),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["memberships.id"], name="fk_buddy_matches_membership_id_memberships"
        ),
        sa.PrimaryKeyConstraint("membership_id", "period", name="pk_buddy_matches"),
    )
    op.create_index("ix_buddy_matches_cohort", "buddy_matches", ["cohort_id", "period", "group_no"])


def downgrade() -> None:
    op.drop_index("ix_buddy_matches_cohort", table_name="buddy_matches")
    op.drop_table("buddy_matches")
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("buddy_opt_in")
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("buddies")
