"""INSERT ... ON CONFLICT DO NOTHING on both databases: the row of a unique key is taken once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


def insert_unless_taken(session: AsyncSession, model: type, key: list[str]) -> Any:
    """An INSERT into `model` that does nothing when a row with the same `key` columns exists (its
    RETURNING then returns no row: the caller knows it did not take the key)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing(index_elements=key)
