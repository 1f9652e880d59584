"""web pages: which version of a cohort's page link and of a member's own page link is valid

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cohorts") as batch:
        batch.add_column(sa.Column("page_version", sa.Integer(), nullable=True))
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(sa.Column("page_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("page_version")
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("page_version")
