"""cohort name keys by the normalised name; no @everyone moderator role

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 08:30:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The key as this revision defines it, written out here so later changes to the code do not change
# what this migration did: NFKC, spaces folded, case-folded, without invisible characters.
_INVISIBLE = {"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"}
_FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def _key(name: str) -> str:
    visible = "".join(c for c in name if unicodedata.category(c) not in _INVISIBLE and c not in _FILLERS)
    folded = " ".join(unicodedata.normalize("NFKC", visible).split()).casefold()
    return unicodedata.normalize("NFKC", folded)[:50]


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, guild_id, name, name_key FROM cohorts ORDER BY id")).all()
    taken = {(guild_id, key) for _, guild_id, _, key in rows}
    for cohort_id, guild_id, name, key in rows:
        new = _key(name)
        # Two old names that now mean one: the older cohort takes the key, the newer keeps its own.
        if new != key and (guild_id, new) not in taken:
            bind.execute(sa.text("UPDATE cohorts SET name_key = :k WHERE id = :i"), {"k": new, "i": cohort_id})
            taken.discard((guild_id, key))
            taken.add((guild_id, new))
    # @everyone's role id is the server's id: as a moderator role it let every member manage the cohort.
    bind.execute(sa.text("UPDATE cohorts SET moderator_role_id = NULL WHERE moderator_role_id = guild_id"))


def downgrade() -> None:
    """The new keys still find every cohort the old ones did; nothing to undo."""
