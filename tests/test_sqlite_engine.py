"""The SQLite engine's two shortcuts (bot.db.engine, bot.db.onehop): one trip to aiosqlite's thread per
statement, and no rollback when a connection goes back to the pool. Both must leave SQLAlchemy's
behaviour as it was: rows, counts, ids, errors, and a connection that holds no transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from bot.db.engine import create_sessionmaker
from bot.db.models import Cohort
from bot.db.onehop import OneHopConnection


def row(name: str) -> dict:
    return {
        "guild_id": 1,
        "name": name,
        "name_key": name,
        "channel_id": 2,
        "start_date": date(2026, 1, 5),
        "timezone": "UTC",
        "created_by": 3,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }


def cohort(name: str) -> Cohort:
    return Cohort(**row(name))


async def in_transaction(engine) -> bool:
    """Whether the pooled SQLite connection holds a transaction right now."""
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneHopConnection)
        return raw.driver_connection._conn.in_transaction


async def test_rows_counts_ids_and_errors_come_back_as_before(sqlite_engine):
    sessions = create_sessionmaker(sqlite_engine)
    async with sessions() as session:
        first, second = cohort("a"), cohort("b")
        session.add_all([first, second])
        await session.commit()
        assert (first.id, second.id) == (1, 2)  # the last row id, per row
        changed = await session.execute(update(Cohort).where(Cohort.id > 0).values(pace="relaxed"))
        assert changed.rowcount == 2
        await session.execute(insert(Cohort), [row("c"), row("d")])  # executemany
        assert await session.scalar(select(func.count()).select_from(Cohort)) == 4
        rows = (await session.execute(select(Cohort.name, Cohort.start_date).order_by(Cohort.id))).all()
        assert rows[0] == ("a", date(2026, 1, 5)) and [r.name for r in rows] == ["a", "b", "c", "d"]
        await session.commit()
    async with sessions() as session:
        await session.execute(text("CREATE UNIQUE INDEX one_name ON cohorts (name)"))
        with pytest.raises(IntegrityError):
            await session.execute(insert(Cohort).values(**row("a")))
        await session.rollback()
    assert not await in_transaction(sqlite_engine)


async def test_connections_go_back_to_the_pool_outside_any_transaction(sqlite_engine):
    sessions = create_sessionmaker(sqlite_engine)
    async with sessions() as session:  # a read that ends without commit
        await session.scalar(select(func.count()).select_from(Cohort))
    assert not await in_transaction(sqlite_engine)
    async with sessions() as session:  # a write that is committed
        session.add(cohort("a"))
        await session.commit()
    assert not await in_transaction(sqlite_engine)
    with pytest.raises(RuntimeError):
        async with sessions() as session:  # a write abandoned by an error
            await session.execute(update(Cohort).values(pace="relaxed"))
            raise RuntimeError("the command failed")
    assert not await in_transaction(sqlite_engine)
    async with sessions() as session:
        assert await session.scalar(select(Cohort.pace)) == "standard"  # the abandoned write is gone
