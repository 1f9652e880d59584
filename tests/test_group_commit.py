"""SQLite's group commit (bot.db.group_commit): units of work from concurrent commands share one trip
and one transaction, each inside its own savepoint; a failing unit takes only its own writes back."""

from __future__ import annotations

import asyncio
import contextvars
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.engine import create_sessionmaker
from bot.db.group_commit import GroupCommit, group_commit_for
from bot.db.models import Cohort, Membership, ProgressEvent
from tests.harness import ROADMAP
from tests.services.progress.test_actions import GUILD, setup_members

LABEL: contextvars.ContextVar[str] = contextvars.ContextVar("label", default="none")


def add_cohort(name: str, *, fail: bool = False):
    def unit(session):
        session.add(
            Cohort(
                guild_id=1,
                name=name,
                name_key=name,
                channel_id=2,
                start_date=date(2026, 1, 5),
                timezone="UTC",
                created_by=3,
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        session.flush()
        if fail:
            raise ValueError(f"{name} failed")
        return name, LABEL.get()

    return unit


async def submit(group: GroupCommit, name: str, *, fail: bool = False):
    LABEL.set(f"task of {name}")  # each command's own context: its language, its member's name
    return await group.run(add_cohort(name, fail=fail))


async def test_concurrent_units_share_one_transaction_and_fail_alone(sqlite_engine):
    group = GroupCommit(sqlite_engine)
    results = await asyncio.gather(*(submit(group, name, fail=name == "c") for name in "abcde"), return_exceptions=True)
    assert results[:2] == [("a", "task of a"), ("b", "task of b")]
    assert isinstance(results[2], ValueError) and str(results[2]) == "c failed"
    assert results[3:] == [("d", "task of d"), ("e", "task of e")]
    assert group.batches == 1
    async with create_sessionmaker(sqlite_engine)() as session:  # committed when the answers came
        assert list(await session.scalars(select(Cohort.name).order_by(Cohort.id))) == ["a", "b", "d", "e"]


async def test_units_queued_during_a_batch_go_in_the_next(sqlite_engine):
    group = GroupCommit(sqlite_engine)
    first = asyncio.ensure_future(submit(group, "a"))
    await asyncio.sleep(0)  # the first batch is on its way to the database's thread
    rest = [asyncio.ensure_future(submit(group, name)) for name in "bcd"]
    await asyncio.gather(first, *rest)
    assert group.batches == 2
    async with create_sessionmaker(sqlite_engine)() as session:
        assert await session.scalar(select(func.count()).select_from(Cohort)) == 4


async def test_a_burst_of_done_is_a_few_transactions_each_recorded_once(sqlite_engine):
    sessions = create_sessionmaker(sqlite_engine)
    users = list(range(100, 160))
    services = await setup_members(sessions, ROADMAP, users=users)
    group = services.progress._group
    assert group is not None
    before = group.batches
    results = await asyncio.gather(*(services.progress.done(GUILD, user, None, None) for user in users))
    assert {r.left.id for r in results} == {"dns"} and len(results) == len(users)
    assert group.batches - before < len(users) / 4
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProgressEvent)) == len(users)
        counts = set(await session.scalars(select(Membership.done_count).where(Membership.user_id.in_(users))))
        assert counts == {1}


def test_postgresql_commits_without_it():
    assert group_commit_for(create_async_engine("postgresql+asyncpg://nobody@localhost/none")) is None
