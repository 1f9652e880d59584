"""one request budget for all of the bot's processes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "send_budget",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_at", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_send_budget"),
    )
    # The row every process moves on (bot.services.delivery.send_budget): Discord's global limit for the bot.
    op.bulk_insert(table, [{"name": "discord", "next_at": 0.0}])


def downgrade() -> None:
    op.drop_table("send_budget")
