"""a roadmap per cohort, locales for scheduled messages

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        # Every cohort created before this followed the one roadmap there was: ROADMAP_PATH, key "default".
        batch_op.add_column(sa.Column("roadmap_id", sa.String(length=64), server_default="default", nullable=False))
        batch_op.add_column(sa.Column("locale", sa.String(length=16), nullable=True))
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=16), nullable=True))

    # The stored topic order gains the roadmap it belongs to, which joins the primary key. The rows are
    # read first and the table rebuilt, so the constraint name stays free (PostgreSQL keeps it on a rename).
    rows = op.get_bind().execute(sa.text("SELECT topic_id, position FROM roadmap_topics")).all()
    op.drop_table("roadmap_topics")
    table = op.create_table(
        "roadmap_topics",
        sa.Column("roadmap_id", sa.String(length=64), nullable=False),
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("roadmap_id", "topic_id", name=op.f("pk_roadmap_topics")),
    )
    if rows:
        op.bulk_insert(table, [{"roadmap_id": "default", "topic_id": t, "position": p} for t, p in rows])


def downgrade() -> None:
    rows = (
        op.get_bind()
        .execute(sa.text("SELECT topic_id, position FROM roadmap_topics WHERE roadmap_id = 'default'"))
        .all()
    )
    op.drop_table("roadmap_topics")
    table = op.create_table(
        "roadmap_topics",
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("topic_id", name=op.f("pk_roadmap_topics")),
    )
    if rows:
        op.bulk_insert(table, [{"topic_id": t, "position": p} for t, p in rows])
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("locale")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_column("locale")
        batch_op.drop_column("roadmap_id")
