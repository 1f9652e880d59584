"""Topics done per member and leaderboard week, counted as they happen, so a weekly leaderboard reads a
row per member instead of the week's history: the cost grows with members, not with events.

One rule, written once: a member's count for a week is the number of their first dones (a topic
counts once: bot.services.progress.advance.counts_once) in
[week start, next week start) of the cohort's leaderboard week (`week_start`), and `reached_at` is
the last of them. `/done` adds to it (`count_done`); a change of the cohort's leaderboard day, time
or timezone moves every week boundary, so the cohort's tallies are counted again from the history
(`ensure_counted`). `cohorts.tallied_week` names the week the tallies were counted for; a `/done`
that read the cohort before a moderator moved its week finds a different key there, writes nothing
and starts over (see `count_done`). Only the weeks a board can still ask for are kept (`first_kept`).
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta

from sqlalchemy import Integer, bindparam, delete, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot.db.models import Cohort, ProgressEvent, WeeklyTally
from bot.db.types import UTCDateTime
from bot.services.cohorts.schedule import next_weekly, previous_weekly

log = logging.getLogger(__name__)


def week_key(cohort: Cohort) -> str:
    """What a cohort's week boundaries depend on: its leaderboard weekday, time and timezone."""
    return _key(cohort.leaderboard_weekday, cohort.leaderboard_time, cohort.timezone)


def _key(weekday: int, hhmm: str, timezone: str) -> str:
    return f"{weekday} {hhmm} {timezone}"


def week_start(cohort: Cohort, at: datetime) -> datetime:
    """The start of the leaderboard week `at` falls in (the last scheduled post at or before it)."""
    return previous_weekly(at, cohort.leaderboard_weekday, cohort.leaderboard_time, cohort.timezone)


def first_kept(cohort: Cohort, now: datetime) -> datetime:
    """The oldest week start a board can still ask for at `now`: the week before last, so a weekly post
    claimed up to a week late (the longest `LEADERBOARD_GRACE_HOURS` allows) still finds its week.
    Older tallies are dropped (`forget_old_weeks`): the table holds a few rows per member, not one per
    member and week ever."""
    this_week = week_start(cohort, now)
    last_week = week_start(cohort, this_week - timedelta(microseconds=1))
    return week_start(cohort, last_week - timedelta(microseconds=1))


async def forget_old_weeks(session: AsyncSession, cohort: Cohort, now: datetime) -> None:
    """Drop the cohort's tallies of weeks no board asks for any more (see `first_kept`)."""
    await session.execute(
        delete(WeeklyTally).where(WeeklyTally.cohort_id == cohort.id, WeeklyTally.week_start < first_kept(cohort, now))
    )


@functools.cache
def _upsert(dialect: str):  # noqa: ANN202 - a dialect-specific Insert, built once per dialect
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # The row comes from the cohort only while its week is still the one the caller computed with;
    # FOR SHARE (PostgreSQL; SQLite has one writer anyway) holds a moderator's edit of the week
    # until this transaction ends, so the edit's recount sees this topic.
    guarded = (
        select(
            bindparam("membership_id", type_=Integer),
            bindparam("week_start", type_=UTCDateTime),
            Cohort.id,
            literal(1),
            bindparam("at", type_=UTCDateTime),
        )
        .where(Cohort.id == bindparam("cohort_id"), Cohort.tallied_week == bindparam("key"))
        .with_for_update(read=True)
    )
    table = WeeklyTally.__table__  # Core: the ORM would take the parameters for a bulk insert
    statement = insert(table).from_select(["membership_id", "week_start", "cohort_id", "done", "reached_at"], guarded)
    # Topics are recorded in time order per member (their /done calls are compare-and-set), so the
    # newest `at` is the latest one.
    return statement.on_conflict_do_update(
        index_elements=["membership_id", "week_start"],
        set_={"done": table.c.done + 1, "reached_at": statement.excluded.reached_at},
    )


def count_done(session: Session, cohort: Cohort, membership_id: int, at: datetime) -> bool:
    """Add a topic done at `at` to the member's week, in the caller's transaction (a synchronous
    session: bot.services.progress.advance). False, with nothing written, when the cohort's week is no longer
    the one `cohort` holds (moved by a moderator since it was read, or not counted yet): the caller
    rolls back and calls `ensure_counted`, then starts over."""
    result = session.execute(
        _upsert(session.get_bind().dialect.name),
        {
            "membership_id": membership_id,
            "week_start": week_start(cohort, at),
            "at": at,
            "cohort_id": cohort.id,
            "key": week_key(cohort),
        },
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def ensure_counted(session: AsyncSession, cohort: Cohort, now: datetime) -> bool:
    """Count the cohort's weekly tallies (the weeks kept at `now`) for its current week unless they
    already are; True when they were counted now. Compare-and-set on `tallied_week`: of two
    processes, one counts."""
    key = week_key(cohort)
    claimed = await session.execute(
        update(Cohort)
        .where(Cohort.id == cohort.id, or_(Cohort.tallied_week.is_(None), Cohort.tallied_week != key))
        .values(tallied_week=key)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    cohort.tallied_week = key  # the row says so already; keep a loaded cohort in step
    await _count_history(session, cohort, now)
    return True


async def _count_history(session: AsyncSession, cohort: Cohort, now: datetime) -> None:
    await session.execute(delete(WeeklyTally).where(WeeklyTally.cohort_id == cohort.id))
    start = first_kept(cohort, now)
    # Up to the latest event rather than `now`: a clock set back (a rehearsal) loses nothing.
    last = await session.scalar(
        select(func.max(ProgressEvent.at)).where(ProgressEvent.cohort_id == cohort.id, ProgressEvent.first_done)
    )
    while last is not None and start <= last:
        end = next_weekly(start, cohort.leaderboard_weekday, cohort.leaderboard_time, cohort.timezone)
        in_week = (
            select(
                ProgressEvent.membership_id,
                literal(start, UTCDateTime),
                ProgressEvent.cohort_id,
                func.count(),
                func.max(ProgressEvent.at),
            )
            .where(
                ProgressEvent.cohort_id == cohort.id,
                ProgressEvent.first_done,
                ProgressEvent.at >= start,
                ProgressEvent.at < end,
            )
            .group_by(ProgressEvent.membership_id, ProgressEvent.cohort_id)
        )
        await session.execute(
            WeeklyTally.__table__.insert().from_select(
                ["membership_id", "week_start", "cohort_id", "done", "reached_at"], in_week
            )
        )
        start = end


async def count_all_stale(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """At start-up: count the weekly tallies of every cohort whose week they were not counted for
    (after the migration that introduced them, or a week changed outside the bot). Returns how many."""
    async with sessions() as session:  # columns, not cohorts: a start-up should not hold them all
        weeks = await session.execute(
            select(Cohort.id, Cohort.leaderboard_weekday, Cohort.leaderboard_time, Cohort.timezone, Cohort.tallied_week)
        )
        stale = [row.id for row in weeks if row.tallied_week != _key(*row[1:4])]
    if stale:  # after the upgrade that added them: about 13 ms a cohort on a 2-core box
        log.info("counting the leaderboard tallies of %d cohort(s) from their history", len(stale))
    counted = 0
    for cohort_id in stale:
        async with sessions() as session:
            cohort = await session.get(Cohort, cohort_id)
            if cohort is not None and await ensure_counted(session, cohort, now):
                counted += 1
            await session.commit()
    if counted:
        log.info("leaderboard tallies counted for %d cohort(s)", counted)
    return counted
