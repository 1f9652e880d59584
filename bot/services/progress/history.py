"""A member's last weeks (`/stats`): topics done and minutes studied in each of the cohort's weeks, and
the streak. Each number by the rule every other feature uses: a week is the leaderboard's (from one
weekly post to the next, the current one until now), a topic counts on its first done, minutes are
StudyTime.minutes_in, the streak is /progress's. The privacy rule is /progress's (check_may_see)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, ProgressEvent
from bot.i18n import Text
from bot.services import caller
from bot.services.authority import Authority
from bot.services.clock import Clock
from bot.services.delivery.timers import member_timezone, member_today
from bot.services.progress.leaderboard import period_bounds, week_before
from bot.services.progress.memberships import Memberships
from bot.services.progress.streaks import active_days, best_streak, current_streak, member_activity, paused_days
from bot.services.progress.views import membership_seen
from bot.services.study.ledger import study_time
from bot.services.validation import check_range

DEFAULT_WEEKS = 8
MAX_WEEKS = 26


@dataclass(frozen=True, slots=True)
class WeekStat:
    """One week of the cohort: [start, end), and what the member did in it."""

    start: datetime
    end: datetime
    topics: int
    minutes: int


@dataclass(frozen=True, slots=True)
class WeeklyStats:
    """What /stats shows: the weeks, oldest first (the last one is the current week, until now)."""

    cohort: Cohort
    weeks: tuple[WeekStat, ...]
    streak: int
    best_streak: int


def week_spans(cohort: Cohort, now: datetime, count: int) -> list[tuple[datetime, datetime]]:
    """The cohort's last `count` weeks as [start, end), oldest first: the current one ends just after `now`
    (as the leaderboard's this-week does), each earlier one where the next begins."""
    start, end = period_bounds(cohort, "this-week", now)
    spans = [(start, end)]
    for _ in range(count - 1):
        start, end = week_before(cohort, start), start
        spans.append((start, end))
    return spans[::-1]


class HistoryService:
    """A member's weeks, as /stats shows them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], memberships: Memberships, clock: Clock) -> None:
        self._sessions = sessions
        self._memberships = memberships
        self._clock = clock

    async def weekly(
        self,
        guild_id: int,
        user_id: int,
        cohort_name: str | None,
        weeks: int = DEFAULT_WEEKS,
        *,
        by: Authority | None = None,
        name: str = "",
    ) -> WeeklyStats:
        """The member's last `weeks` weeks in the cohort; asked `by` someone else, as /progress allows."""
        check_range(weeks, 1, MAX_WEEKS, Text("weeks"))
        now = self._clock.now()
        async with self._sessions() as session:
            seen = await membership_seen(self._memberships, session, guild_id, user_id, cohort_name, by, name)
            cohort, membership = seen
            # Weeks that ended before the member joined say nothing: they are left out (the current one ends
            # after now, so it always stays).
            spans = [span for span in week_spans(cohort, now, weeks) if span[1] > membership.joined_at]
            timezone = member_timezone(membership, cohort)
            firsts = list(
                await session.scalars(
                    select(ProgressEvent.at).where(
                        ProgressEvent.membership_id == membership.id,
                        ProgressEvent.first_done.is_(True),
                        ProgressEvent.at >= spans[0][0],
                    )
                )
            )
            study = await study_time(session, membership.id, timezone, now)
            activity = await member_activity(session, membership.id)
            paused = await paused_days(session, cohort.id)
            await caller.commit_noted(session)
        days = active_days(activity, study, timezone)
        return WeeklyStats(
            cohort,
            tuple(
                WeekStat(start, end, sum(start <= at < end for at in firsts), study.minutes_in(start, end))
                for start, end in spans
            ),
            current_streak(days, member_today(membership, cohort, now), paused),
            best_streak(days, paused),
        )
