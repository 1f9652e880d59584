"""Streaks: consecutive local days with study activity (a done topic, a check-in, or counted minutes in a
study room)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import String, bindparam, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, CohortPause, ProgressEvent
from bot.services.cohorts.schedule import local_date
from bot.services.study.ledger import StudyTime, study_time


def current_streak(active_days: Iterable[date], today: date, paused: frozenset[date] = frozenset()) -> int:
    """Consecutive days with activity ending today, or ending yesterday if today has none yet.

    Counting from yesterday keeps a streak alive during the day, before the member has studied.
    Paused days (a cohort's planned break) neither count nor break a streak.
    """
    days = set(active_days)
    cursor = today if today in days else today - timedelta(days=1)
    streak = 0
    while True:
        if cursor in days:
            streak += 1
        elif cursor not in paused:
            return streak
        cursor -= timedelta(days=1)  # ends: `paused` is finite, so a day outside both sets comes


def best_streak(active_days: Iterable[date], paused: frozenset[date] = frozenset()) -> int:
    """The longest run of consecutive active days ever, paused days bridging a run as in `current_streak`."""
    best = run = 0
    previous: date | None = None
    for day in sorted(set(active_days)):
        gap = [] if previous is None else [previous + timedelta(days=n) for n in range(1, (day - previous).days)]
        run = run + 1 if previous is not None and all(d in paused for d in gap) else 1
        best, previous = max(best, run), day
    return best


# Done topics (with their id) and check-ins (id None) of one membership, in one round trip.
_ACTIVITY = union_all(
    select(ProgressEvent.topic_id, ProgressEvent.at).where(
        ProgressEvent.membership_id == bindparam("membership_id"), ProgressEvent.kind == "done"
    ),
    select(literal(None, String).label("topic_id"), CheckIn.at).where(
        CheckIn.membership_id == bindparam("membership_id")
    ),
)


async def member_activity(session: AsyncSession, membership_id: int) -> list[tuple[str | None, datetime]]:
    """(topic id, time) of every done topic, and (None, time) of every check-in."""
    return [(topic_id, at) for topic_id, at in await session.execute(_ACTIVITY, {"membership_id": membership_id})]


def active_days(activity: Iterable[tuple[str | None, datetime]], study: StudyTime, timezone: str) -> set[date]:
    """The member's local days with activity: the one rule streaks are counted by."""
    return {local_date(at, timezone) for _, at in activity} | study.room_days()


async def member_streak(
    session: AsyncSession,
    membership_id: int,
    timezone: str,
    now: datetime,
    paused: frozenset[date] = frozenset(),
) -> int:
    """The member's streak in their timezone, from their done topics, check-ins and study rooms."""
    activity = await member_activity(session, membership_id)
    study = await study_time(session, membership_id, timezone, now)
    return current_streak(active_days(activity, study, timezone), local_date(now, timezone), paused)


async def paused_days(session: AsyncSession, cohort_id: int) -> frozenset[date]:
    """Every day of the cohort's planned breaks."""
    days: set[date] = set()
    for start, end in await session.execute(
        select(CohortPause.start_date, CohortPause.end_date).where(CohortPause.cohort_id == cohort_id)
    ):
        days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(days)
