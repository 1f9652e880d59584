"""Weekly leaderboards: topics done in a cohort's week, ties broken by who got there first."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, Membership, ProgressEvent
from bot.i18n import t
from bot.roadmap import RoadmapCatalog
from bot.services.clock import Clock
from bot.services.cohorts import CohortService
from bot.services.errors import InvalidInput
from bot.services.progress import ProgressService
from bot.services.schedule import local_date, previous_weekly
from bot.services.streaks import member_streak, paused_days
from bot.services.timers import member_timezone
from bot.services.topics import cohort_roadmap
from bot.usertext import code

PERIODS = ("this-week", "last-week", "all-time")
TOP = 10
_EPOCH = datetime(2015, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Entry:
    rank: int
    user_id: int
    membership_id: int
    done: int
    reached_at: datetime  # when they reached their count: the earlier wins a tie
    streak: int | None = None  # filled for the top entries and the caller


@dataclass(frozen=True, slots=True)
class Leaderboard:
    cohort: Cohort
    period: str
    start: datetime
    end: datetime
    entries: list[Entry]  # everyone with at least one topic done, ranked
    stage_finishers: dict[int, list[str]] = field(default_factory=dict)  # user id -> stage titles
    # The caller's own count when they are hidden from the ranking (shown to them alone), else None.
    own_hidden_done: int | None = None

    @property
    def top(self) -> list[Entry]:
        return self.entries[:TOP]

    def entry_for(self, user_id: int) -> Entry | None:
        return next((e for e in self.entries if e.user_id == user_id), None)


def week_before(cohort: Cohort, end: datetime) -> datetime:
    """The start of the leaderboard week that ends at `end` (the previous scheduled post)."""
    return previous_weekly(
        end - timedelta(microseconds=1), cohort.leaderboard_weekday, cohort.leaderboard_time, cohort.timezone
    )


def period_bounds(cohort: Cohort, period: str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of a period. A cohort's week runs from one scheduled leaderboard post to the next."""
    if period == "all-time":
        return _EPOCH, now + timedelta(microseconds=1)
    last_post = previous_weekly(now, cohort.leaderboard_weekday, cohort.leaderboard_time, cohort.timezone)
    if period == "this-week":
        return last_post, now + timedelta(microseconds=1)
    if period == "last-week":
        return week_before(cohort, last_post), last_post
    raise InvalidInput(
        t("`{period}` is not a period. Use one of: {value}.", period=code(period), value=", ".join(PERIODS))
    )


def _in_period(cohort_id: int, start: datetime, end: datetime, *, shown: bool = True) -> tuple:
    """Conditions on ProgressEvent joined with Membership: the cohort's events in [start, end) of
    members still in it who are on the leaderboard (`shown`) or hidden from it."""
    return (
        ProgressEvent.cohort_id == cohort_id,
        ProgressEvent.at >= start,
        ProgressEvent.at < end,
        Membership.left_at.is_(None),
        Membership.show_on_leaderboard.is_(shown),
    )


class LeaderboardService:
    """Ranks members of a cohort over a period, from the done history."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        roadmaps: RoadmapCatalog,
        clock: Clock,
        cohorts: CohortService,
        progress: ProgressService,
    ) -> None:
        self._sessions = sessions
        self._cohorts = cohorts
        self._roadmaps = roadmaps
        self._clock = clock
        self._progress = progress

    async def compute(
        self, cohort: Cohort, start: datetime, end: datetime, period: str, *, streaks_for: set[int] = frozenset()
    ) -> Leaderboard:
        """The ranking of `cohort` over [start, end); streaks for the top and for `streaks_for` user ids."""
        async with self._sessions() as session:
            visible = (*_in_period(cohort.id, start, end), ProgressEvent.kind == "done")
            done = func.count(ProgressEvent.id)
            reached = func.max(ProgressEvent.at)
            rows = (
                await session.execute(
                    select(Membership.id, Membership.user_id, done, reached)
                    .join(Membership, Membership.id == ProgressEvent.membership_id)
                    .where(*visible)
                    .group_by(Membership.id, Membership.user_id)
                    .order_by(done.desc(), reached.asc(), Membership.id)
                )
            ).all()
            finishers: dict[int, list[str]] = {}
            # A stage is finished by the event that covered its last open topic (bot.services.journey),
            # done or skipped; the event names it.
            titles = {stage.id: stage.title for stage in cohort_roadmap(self._roadmaps, cohort).stages}
            ended = await session.execute(
                select(Membership.user_id, ProgressEvent.completes_stage)
                .join(Membership, Membership.id == ProgressEvent.membership_id)
                .where(*_in_period(cohort.id, start, end), ProgressEvent.completes_stage.is_not(None))
                .order_by(ProgressEvent.at)
            )
            for user_id, stage_id in ended:
                if stage_id in titles:
                    finishers.setdefault(user_id, []).append(titles[stage_id])
            entries: list[Entry] = []
            wanted = {row[1] for row in rows[:TOP]} | set(streaks_for)
            members = (
                {
                    m.user_id: m
                    for m in await session.scalars(
                        select(Membership).where(Membership.cohort_id == cohort.id, Membership.user_id.in_(wanted))
                    )
                }
                if wanted
                else {}
            )
            now = self._clock.now()
            paused = await paused_days(session, cohort.id) if members else frozenset()
            for rank, (membership_id, user_id, count, reached_at) in enumerate(rows, 1):
                streak = None
                if user_id in members:
                    tz = member_timezone(members[user_id], cohort)
                    streak = await member_streak(session, membership_id, tz, local_date(now, tz), paused)
                entries.append(Entry(rank, user_id, membership_id, count, reached_at, streak))
        return Leaderboard(cohort, period, start, end, entries, finishers)

    async def for_member(self, guild_id: int, user_id: int, cohort_name: str | None, period: str) -> Leaderboard:
        """`/leaderboard`: a cohort over a period (default: the caller's only cohort), with the caller's streak."""
        async with self._sessions() as session:
            if cohort_name:  # anyone in the server may look at a named cohort's board
                cohort = await self._cohorts.find_in(session, guild_id, cohort_name)
            else:
                cohort, _ = await self._progress.membership_in(session, guild_id, user_id, None)
                await self._progress.keep_caller(session)
        start, end = period_bounds(cohort, period, self._clock.now())
        board = await self.compute(cohort, start, end, period, streaks_for={user_id})
        if board.entry_for(user_id) is None:
            async with self._sessions() as session:
                hidden = await session.scalar(
                    select(func.count(ProgressEvent.id))
                    .join(Membership, Membership.id == ProgressEvent.membership_id)
                    .where(
                        *_in_period(cohort.id, start, end, shown=False),
                        ProgressEvent.kind == "done",
                        Membership.user_id == user_id,
                    )
                )
            if hidden:
                board = replace(board, own_hidden_done=hidden)
        return board

    async def weekly(self, cohort: Cohort, post_at: datetime) -> Leaderboard:
        """The leaderboard posted at `post_at`: the week that ends there."""
        return await self.compute(cohort, week_before(cohort, post_at), post_at, "week")
