"""stage roles the bot gave, so it takes back only those; a member's own say on stage roles; what a
deleted cohort left on Discord because the bot could not remove it then

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "role_grants",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_role_grants_cohort_id_cohorts"),
        sa.PrimaryKeyConstraint("cohort_id", "user_id", "role_id", name="pk_role_grants"),
    )
    op.create_index("ix_role_grants_user", "role_grants", ["guild_id", "user_id"])
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(sa.Column("wants_stage_roles", sa.Boolean(), nullable=True))
    op.create_table(
        "discord_leftovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("discord_id", sa.BigInteger(), nullable=False),
        sa.Column("left_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_discord_leftovers"),
        sa.UniqueConstraint("kind", "discord_id", name="uq_discord_leftovers_kind"),
    )


def downgrade() -> None:
    op.drop_table("discord_leftovers")
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("wants_stage_roles")
    op.drop_index("ix_role_grants_user", table_name="role_grants")
    op.drop_table("role_grants")
