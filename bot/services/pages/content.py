"""What a cohort's web page shows, read with the same services the commands use, so every number on the
page is the number Discord shows: the boards are `/leaderboard`'s, members per stage and stuck topics are
`/cohort report`'s, the stage dates are `/cohort info`'s.

Only what members already show in Discord is named: a member who hides from the leaderboard is in the
counts (members per stage, stuck topics) and nowhere else, and their project shares are counted, not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, Membership
from bot.roadmap import Roadmap, RoadmapCatalog, Stage
from bot.services.clock import Clock
from bot.services.cohorts.breaks import breaks_of
from bot.services.cohorts.insight import InsightService, Standing
from bot.services.cohorts.schedule import local_date
from bot.services.delivery.timers import member_timezone
from bot.services.progress.history import HistoryService, WeeklyStats
from bot.services.progress.leaderboard import Leaderboard, LeaderboardService, period_bounds
from bot.services.progress.views import ProgressReport, ProgressViews
from bot.services.study.ledger import EVER
from bot.services.together.showcase import SharedProject, shares_in
from bot.services.topics import cohort_roadmap

SHOWCASE_SHOWN = 12
MEMBER_WEEKS = 8


@dataclass(frozen=True, slots=True)
class MemberPage:
    """A member's own page: `/progress` and `/stats`, as the member sees them."""

    progress: ProgressReport
    weeks: WeeklyStats
    name: str | None
    now: datetime
    timezone: str  # the member's own


@dataclass(frozen=True, slots=True)
class StageSpan:
    stage: Stage
    first: date
    last: date


@dataclass(frozen=True, slots=True)
class CohortPage:
    """Everything a cohort's page shows, as of `now`."""

    cohort: Cohort
    roadmap: Roadmap
    now: datetime
    today: date  # in the cohort's timezone
    calendar_start: date
    calendar_end: date | None  # None: past year 9999 (a start date saved before dates were bounded)
    stages: list[StageSpan]
    pauses: list[tuple[date, date]]
    # Members (in all, per stage, finished), stuck topics and the calendar, as /cohort report counts them.
    standing: Standing
    this_week: Leaderboard
    all_time: Leaderboard
    names: dict[int, str | None]  # user id -> display name (None: not seen since names were kept)
    shares: list[SharedProject]  # by members shown on the leaderboard, newest first, at most SHOWCASE_SHOWN
    shares_unlisted: int  # the rest: hidden members' shares, and any beyond SHOWCASE_SHOWN


class PageContent:
    """Reads a cohort's page."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        roadmaps: RoadmapCatalog,
        clock: Clock,
        insight: InsightService,
        leaderboards: LeaderboardService,
        progress_views: ProgressViews,
        history: HistoryService,
    ) -> None:
        self._sessions = sessions
        self._roadmaps = roadmaps
        self._clock = clock
        self._insight = insight
        self._leaderboards = leaderboards
        self._progress_views = progress_views
        self._history = history

    async def member_page(self, cohort: Cohort, membership: Membership) -> MemberPage:
        """The member's own page: what `/progress` and `/stats` show them."""
        progress = await self._progress_views.report(cohort.guild_id, membership.user_id, cohort.name)
        weeks = await self._history.weekly(cohort.guild_id, membership.user_id, cohort.name, MEMBER_WEEKS)
        zone = member_timezone(membership, cohort)
        return MemberPage(progress, weeks, membership.display_name, self._clock.now(), zone)

    async def cohort_page(self, cohort: Cohort) -> CohortPage:
        """The page of `cohort` as it stands now."""
        now = self._clock.now()
        roadmap = cohort_roadmap(self._roadmaps, cohort)
        standing = await self._insight.standing(cohort)
        week = await self._leaderboards.compute(cohort, *period_bounds(cohort, "this-week", now), "this-week")
        ever = await self._leaderboards.compute(cohort, *period_bounds(cohort, "all-time", now), "all-time")
        async with self._sessions() as session:
            pauses = await breaks_of(session, cohort.id)
            shares = await shares_in(session, cohort, EVER, now, roadmap)
            wanted = {e.user_id for e in (*week.top, *ever.top)} | {s.user_id for s in shares}
            shown = await _shown_names(session, cohort.id, wanted)
        listed = [s for s in shares if s.user_id in shown and s.url.startswith(("https://", "http://"))]
        calendar = standing.calendar
        try:
            spans = [StageSpan(stage, *calendar.stage_days(stage.id)) for stage in roadmap.stages]
            end: date | None = calendar.last_day
        except OverflowError:
            spans, end = [], None
        return CohortPage(
            cohort=cohort,
            roadmap=roadmap,
            now=now,
            today=local_date(now, cohort.timezone),
            calendar_start=cohort.start_date,
            calendar_end=end,
            stages=spans,
            pauses=pauses,
            standing=standing,
            this_week=week,
            all_time=ever,
            names=shown,
            shares=listed[:SHOWCASE_SHOWN],
            shares_unlisted=len(shares) - len(listed[:SHOWCASE_SHOWN]),
        )


async def _shown_names(session: AsyncSession, cohort_id: int, user_ids: set[int]) -> dict[int, str | None]:
    """The display names of those of `user_ids` who are in the cohort and shown on its leaderboard."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(Membership.user_id, Membership.display_name).where(
            Membership.cohort_id == cohort_id,
            Membership.user_id.in_(user_ids),
            Membership.left_at.is_(None),
            Membership.show_on_leaderboard.is_(True),
        )
    )
    return {user_id: name for user_id, name in rows}
