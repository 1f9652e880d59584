"""Weekly leaderboards: topics done in a cohort's week, ties broken by who got there first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Row, Select, Subquery, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, Membership, ProgressEvent, WeeklyTally
from bot.i18n import Text
from bot.roadmap import RoadmapCatalog
from bot.services import caller
from bot.services.clock import Clock
from bot.services.cohorts.registry import CohortService
from bot.services.cohorts.schedule import previous_weekly
from bot.services.delivery.timers import member_timezone
from bot.services.errors import InvalidInput
from bot.services.progress.memberships import Memberships
from bot.services.progress.streaks import member_streak, paused_days
from bot.services.study.board import MinutesBoard, minutes_board
from bot.services.study.ledger import EVER
from bot.services.topics import cohort_roadmap
from bot.usertext import code

PERIODS = ("this-week", "last-week", "all-time")
TOP = 10


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
    top: list[Entry]  # the first TOP of the ranking
    ranked: int  # how many are ranked: everyone shown with at least one topic done
    # The viewer (`compute(viewer_id=...)`) when ranked below the top: their rank counts who is ahead.
    others: list[Entry] = field(default_factory=list)
    stage_finishers: dict[int, list[str]] = field(default_factory=dict)  # user id -> stage titles
    # The caller's own count when they are hidden from the ranking (shown to them alone), else None.
    own_hidden_done: int | None = None

    def entry_for(self, user_id: int) -> Entry | None:
        return next((e for e in (*self.top, *self.others) if e.user_id == user_id), None)


def week_before(cohort: Cohort, end: datetime) -> datetime:
    """The start of the leaderboard week that ends at `end` (the previous scheduled post)."""
    return previous_weekly(
        end - timedelta(microseconds=1), cohort.leaderboard_weekday, cohort.leaderboard_time, cohort.timezone
    )


def period_bounds(cohort: Cohort, period: str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of a period. A cohort's week runs from one scheduled leaderboard post to the next."""
    if period == "all-time":
        return EVER, now + timedelta(microseconds=1)
    last_post = previous_weekly(now, cohort.leaderboard_weekday, cohort.leaderboard_time, cohort.timezone)
    if period == "this-week":
        return last_post, now + timedelta(microseconds=1)
    if period == "last-week":
        return week_before(cohort, last_post), last_post
    raise InvalidInput(
        Text("`{period}` is not a period. Use one of: {value}.", period=code(period), value=", ".join(PERIODS))
    )


def _in_period(cohort_id: int, start: datetime, end: datetime) -> tuple:
    """Conditions on ProgressEvent joined with Membership: the cohort's events in [start, end) of
    members still in it and on the leaderboard."""
    return (
        ProgressEvent.cohort_id == cohort_id,
        ProgressEvent.at >= start,
        ProgressEvent.at < end,
        Membership.left_at.is_(None),
        Membership.show_on_leaderboard.is_(True),
    )


# Who counts in a period and with how many topics, one row per member still in the cohort, from the
# tallies kept by /done (bot.services.progress.tallies): a week's, or the all-time count on the membership.
_WEEK = (
    select(
        WeeklyTally.membership_id,
        Membership.user_id,
        WeeklyTally.done,
        WeeklyTally.reached_at,
        Membership.show_on_leaderboard.label("shown"),
    )
    .join(Membership, Membership.id == WeeklyTally.membership_id)
    .where(
        WeeklyTally.cohort_id == bindparam("cohort_id"),
        WeeklyTally.week_start == bindparam("start"),
        Membership.left_at.is_(None),
    )
    .subquery()
)
_ALL_TIME = (
    select(
        Membership.id.label("membership_id"),
        Membership.user_id,
        Membership.done_count.label("done"),
        Membership.last_done_at.label("reached_at"),
        Membership.show_on_leaderboard.label("shown"),
    )
    .where(Membership.cohort_id == bindparam("cohort_id"), Membership.left_at.is_(None), Membership.done_count > 0)
    .subquery()
)


@dataclass(frozen=True, slots=True)
class _Ranking:
    """The statements that read one source of counts: the top, how many are ranked, one member's row,
    and how many are ranked ahead of a count (most topics first, then who got there first)."""

    top: Select
    ranked: Select
    member: Select
    ahead: Select

    @classmethod
    def over(cls, source: Subquery) -> _Ranking:
        c = source.c
        shown = c.shown.is_(True)
        done, reached, membership_id = bindparam("done"), bindparam("reached_at"), bindparam("membership_id")
        return cls(
            top=select(c.membership_id, c.user_id, c.done, c.reached_at)
            .where(shown)
            .order_by(c.done.desc(), c.reached_at, c.membership_id)
            .limit(TOP),
            ranked=select(func.count()).select_from(source).where(shown),
            member=select(c.membership_id, c.user_id, c.done, c.reached_at, c.shown).where(
                c.user_id == bindparam("user_id")
            ),
            ahead=select(func.count())
            .select_from(source)
            .where(
                shown,
                or_(
                    c.done > done,
                    and_(
                        c.done == done,
                        or_(c.reached_at < reached, and_(c.reached_at == reached, c.membership_id < membership_id)),
                    ),
                ),
            ),
        )


_RANKINGS = {"week": _Ranking.over(_WEEK), "all-time": _Ranking.over(_ALL_TIME)}


class LeaderboardService:
    """Ranks members of a cohort over a period, from the done history."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        roadmaps: RoadmapCatalog,
        clock: Clock,
        cohorts: CohortService,
        memberships: Memberships,
    ) -> None:
        self._sessions = sessions
        self._cohorts = cohorts
        self._roadmaps = roadmaps
        self._clock = clock
        self._memberships = memberships

    async def compute(
        self, cohort: Cohort, start: datetime, end: datetime, period: str, *, viewer_id: int | None = None
    ) -> Leaderboard:
        """The ranking of `cohort` over [start, end), with streaks for the top and the viewer (`viewer_id`, a user
        id). `start` is a leaderboard week's start (`period_bounds`, `week_before`) or, for all-time,
        the beginning of time: the counts are the tallies of that week, or of all time."""
        ranking = _RANKINGS["all-time" if period == "all-time" else "week"]
        key = {"cohort_id": cohort.id, "start": start}
        async with self._sessions() as session:
            top = (await session.execute(ranking.top, key)).all()
            ranked = len(top) if len(top) < TOP else await session.scalar(ranking.ranked, key) or 0
            mine = None
            if viewer_id is not None and all(row.user_id != viewer_id for row in top):
                mine = (await session.execute(ranking.member, {**key, "user_id": viewer_id})).first()
            others: list[tuple[int, Row]] = []
            hidden = None
            if mine is not None and mine.shown:
                ahead = await session.scalar(
                    ranking.ahead,
                    {**key, "done": mine.done, "reached_at": mine.reached_at, "membership_id": mine.membership_id},
                )
                others.append(((ahead or 0) + 1, mine))
            elif mine is not None:
                hidden = mine.done
            finishers = await self._stage_finishers(session, cohort, start, end)
            now = self._clock.now()
            listed = [*enumerate(top, 1), *others]
            wanted = {row.user_id for _, row in listed}
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
            paused = await paused_days(session, cohort.id) if members else frozenset()
            entries: list[Entry] = []
            for rank, row in listed:
                tz = member_timezone(members[row.user_id], cohort)
                streak = await member_streak(session, row.membership_id, tz, now, paused)
                entries.append(Entry(rank, row.user_id, row.membership_id, row.done, row.reached_at, streak))
        return Leaderboard(
            cohort, period, start, end, entries[: len(top)], ranked, entries[len(top) :], finishers, hidden
        )

    async def _stage_finishers(
        self, session: AsyncSession, cohort: Cohort, start: datetime, end: datetime
    ) -> dict[int, list[str]]:
        # A stage is finished by the event that covered its last open topic (bot.services.progress.journey),
        # done or skipped; the event names it.
        titles = {stage.id: stage.title for stage in cohort_roadmap(self._roadmaps, cohort).stages}
        ended = await session.execute(
            select(Membership.user_id, ProgressEvent.completes_stage)
            .join(Membership, Membership.id == ProgressEvent.membership_id)
            .where(*_in_period(cohort.id, start, end), ProgressEvent.completes_stage.is_not(None))
            .order_by(ProgressEvent.at)
        )
        finishers: dict[int, list[str]] = {}
        for user_id, stage_id in ended:
            if stage_id in titles:
                finishers.setdefault(user_id, []).append(titles[stage_id])
        return finishers

    async def for_member(self, guild_id: int, user_id: int, cohort_name: str | None, period: str) -> Leaderboard:
        """`/leaderboard`: a cohort over a period (default: the caller's only cohort), with the caller's
        rank and streak (or, when they hide from the ranking, their own count for them alone)."""
        cohort = await self._cohort_for(guild_id, user_id, cohort_name)
        start, end = period_bounds(cohort, period, self._clock.now())
        return await self.compute(cohort, start, end, period, viewer_id=user_id)

    async def minutes_for_member(
        self, guild_id: int, user_id: int, cohort_name: str | None, period: str
    ) -> MinutesBoard:
        """`/leaderboard metric:minutes`: the same cohort and period, ranked by minutes studied."""
        cohort = await self._cohort_for(guild_id, user_id, cohort_name)
        now = self._clock.now()
        start, end = period_bounds(cohort, period, now)
        async with self._sessions() as session:
            return await minutes_board(session, cohort, period, start, end, now, user_id)

    async def _cohort_for(self, guild_id: int, user_id: int, cohort_name: str | None) -> Cohort:
        async with self._sessions() as session:
            if cohort_name:  # anyone in the server may look at a named cohort's board
                return await self._cohorts.find_in(session, guild_id, cohort_name)
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, None)
            caller.remember(session, membership)
            await caller.commit_noted(session)
            return cohort

    async def weekly(self, cohort: Cohort, post_at: datetime) -> Leaderboard | MinutesBoard:
        """The leaderboard posted at `post_at`: the week that ends there, ranked as the cohort says."""
        start = week_before(cohort, post_at)
        if cohort.leaderboard_metric == "minutes":
            async with self._sessions() as session:
                return await minutes_board(session, cohort, "week", start, post_at, post_at, viewer_id=None)
        return await self.compute(cohort, start, post_at, "week")
