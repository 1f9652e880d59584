"""What a member reads about their own way through the roadmap: the progress report, the roadmap with
their topics marked, their current topic."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, Membership, ProgressEvent
from bot.i18n import Text
from bot.roadmap import Roadmap, RoadmapCatalog, Stage, TopicRef
from bot.services import caller
from bot.services.authority import Authority
from bot.services.clock import Clock
from bot.services.cohorts.registry import CohortService
from bot.services.cohorts.schedule import local_date
from bot.services.delivery.timers import member_timezone, member_today
from bot.services.errors import Conflict, NotAllowed
from bot.services.progress.memberships import MEMBER_COHORTS, Memberships
from bot.services.progress.pace import CohortCalendar, PaceStatus, member_pace
from bot.services.progress.streaks import active_days, best_streak, current_streak, member_activity, paused_days
from bot.services.study.goals import GoalStatus, goal_status
from bot.services.study.ledger import study_time
from bot.usertext import QUOTE_MAX, md


@dataclass(frozen=True, slots=True)
class StageProgress:
    stage: Stage
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class ProgressReport:
    """Everything `/progress` shows, computed from the membership and its history."""

    cohort: Cohort
    roadmap: Roadmap
    user_id: int
    current: TopicRef | None
    done_count: int
    total_topics: int
    stages: list[StageProgress]
    days_on_topic: int
    topic_budget_days: float | None
    pace: PaceStatus
    streak: int
    best_streak: int  # the longest streak ever, the current one included
    minutes_today: int = 0  # studied today, check-ins and study rooms together (bot.services.study.ledger)
    room_minutes_on_topic: int = 0  # in the study room on the current topic, ever
    goal: GoalStatus | None = None  # this week's goal (`/goal`) and how far the member is
    expected_share: float = 0.0  # where the calendar says the cohort should be, 0..1 of its days
    position_share: float = 0.0  # where the member is on the same scale (the start of their topic)
    # The member hid from the leaderboard: their progress is theirs and their moderators' to see.
    private: bool = False
    # Seen by one of those moderators: the answer goes to them alone, never to the channel.
    answer_privately: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total_topics) if self.total_topics else 0


def check_may_see(cohort: Cohort, membership: Membership, by: Authority | None, name: str) -> None:
    """The privacy rule of a member's progress, asked `by` someone (None: the member): NotAllowed when the
    member keeps it private and `by` neither is them nor moderates the cohort (`name`: the member's, for
    the refusal). A moderator's look is answered to them alone (`answer_privately`)."""
    if by is None or by.user_id == membership.user_id or membership.show_on_leaderboard or by.moderates(cohort):
        return
    raise NotAllowed(
        Text(
            "{member} keeps their progress private (hidden from the leaderboard): "
            "only they and the cohort's moderators can see it.",
            member=md(name, QUOTE_MAX),
        )
    )


def answered_privately(membership: Membership, by: Authority | None) -> bool:
    """Whether a look at the member's progress goes to the one asking alone: a moderator's look at a member
    who keeps it private."""
    return by is not None and by.user_id != membership.user_id and not membership.show_on_leaderboard


async def membership_seen(
    memberships: Memberships,
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    cohort_name: str | None,
    by: Authority | None,
    name: str,
) -> tuple[Cohort, Membership]:
    """The member's cohort and membership, as `by` may see them (check_may_see); the member's own look
    remembers their language and name."""
    self_view = by is None or by.user_id == user_id
    cohort, membership = await memberships.membership_in(session, guild_id, user_id, cohort_name, self_view=self_view)
    if self_view:
        caller.remember(session, membership)
    check_may_see(cohort, membership, by, name)
    return cohort, membership


class ProgressViews:
    """Read views of a member's progress; every call is scoped to a guild."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        memberships: Memberships,
        roadmaps: RoadmapCatalog,
        clock: Clock,
        cohorts: CohortService,
    ) -> None:
        self._sessions = sessions
        self._memberships = memberships
        self._roadmaps = roadmaps
        self._clock = clock
        self._cohorts = cohorts

    async def report(
        self, guild_id: int, user_id: int, cohort_name: str | None, *, by: Authority | None = None, name: str = ""
    ) -> ProgressReport:
        """The member's progress in a cohort: topics done, per stage, pace and streak. Asked `by` someone
        else (`name`: the member's, for the refusal): a member who keeps their progress private is
        refused unless `by` moderates the cohort, and then answered to `by` alone."""
        async with self._sessions() as session:
            seen = await membership_seen(self._memberships, session, guild_id, user_id, cohort_name, by, name)
            cohort, membership = seen
            now = self._clock.now()
            timezone = member_timezone(membership, cohort)
            activity = await member_activity(session, membership.id)
            study = await study_time(session, membership.id, timezone, now)
            goal = await goal_status(session, cohort, membership, now, study)
            paused = await paused_days(session, cohort.id)
            await caller.commit_noted(session)
        today = member_today(membership, cohort, now)
        days = active_days(activity, study, timezone)
        streak = current_streak(days, today, paused)
        roadmap = self._memberships.roadmap_of(cohort)
        done_ids = {topic_id for topic_id, _ in activity if topic_id is not None} & roadmap.topic_ids
        stages = [
            StageProgress(stage, sum(t.id in done_ids for t in stage.topics), len(stage.topics))
            for stage in roadmap.stages
        ]
        calendar = CohortCalendar.build(roadmap, cohort.start_date, cohort.pace, paused)
        current = self._memberships.topic_or_first(cohort, membership.current_topic_id)
        return ProgressReport(
            cohort=cohort,
            roadmap=roadmap,
            user_id=user_id,
            current=current,
            done_count=len(done_ids),
            total_topics=len(roadmap.topics),
            stages=stages,
            days_on_topic=calendar.counted_days(local_date(membership.topic_started_at, timezone), today),
            topic_budget_days=calendar.windows[current.id].length if current else None,
            pace=member_pace(calendar, current.id if current else None, today),
            streak=streak,
            best_streak=best_streak(days, paused),
            minutes_today=study.minutes_on(today),
            room_minutes_on_topic=study.by_topic().get(current.id if current else None, 0),
            goal=goal,
            expected_share=max(0.0, calendar.day_of(today) / calendar.total_days),
            position_share=calendar.windows[current.id].start_day / calendar.total_days if current else 1.0,
            private=not membership.show_on_leaderboard,
            answer_privately=answered_privately(membership, by),
        )

    async def roadmap_for(self, guild_id: int, user_id: int, cohort_name: str | None) -> Roadmap:
        """The roadmap to show a member (see `roadmap_view`), without reading their progress."""
        async with self._sessions() as session:
            roadmap, _ = await self._roadmap_in_view(session, guild_id, user_id, cohort_name)
            return roadmap

    async def roadmap_view(
        self, guild_id: int, user_id: int, cohort_name: str | None
    ) -> tuple[Roadmap, set[str], set[str]]:
        """The roadmap to show a member and their (done, current) topic ids on it.

        The named cohort's roadmap (member or not: a look before joining); else the one the member's
        cohorts follow; else, when they are in none, the one every cohort of this server follows, or
        the default. Cohorts on different roadmaps need the `cohort` option.
        """
        async with self._sessions() as session:
            roadmap, memberships = await self._roadmap_in_view(session, guild_id, user_id, cohort_name)
            if not memberships:
                return roadmap, set(), set()
            done = await session.scalars(
                select(ProgressEvent.topic_id).where(
                    ProgressEvent.membership_id.in_([m.id for m in memberships]), ProgressEvent.kind == "done"
                )
            )
            current = {m.current_topic_id for m in memberships if m.current_topic_id}
            return roadmap, set(done) & roadmap.topic_ids, current

    async def _roadmap_in_view(
        self, session: AsyncSession, guild_id: int, user_id: int, cohort_name: str | None
    ) -> tuple[Roadmap, list[Membership]]:
        """The roadmap `roadmap_view` shows, and the member's active memberships that follow it."""
        cohort = await self._cohorts.find_in(session, guild_id, cohort_name) if cohort_name else None
        rows = list(await session.execute(MEMBER_COHORTS, {"guild_id": guild_id, "user_id": user_id}))
        if cohort is not None:
            return self._memberships.roadmap_of(cohort), [m for c, m in rows if c.id == cohort.id]
        if rows:
            if len({c.roadmap_id for c, _ in rows}) > 1:
                names = ", ".join(f"**{md(c.name)}**" for c, _ in rows)
                raise Conflict(
                    Text(
                        "Your cohorts ({names}) follow different roadmaps. Add the `cohort` "
                        "option to say which one you mean.",
                        names=names,
                    )
                )
            return self._memberships.roadmap_of(rows[0][0]), [m for _, m in rows]
        keys = set(await session.scalars(select(Cohort.roadmap_id).where(Cohort.guild_id == guild_id)))
        return self._roadmaps.get(keys.pop() if len(keys) == 1 else None), []

    async def current_topic(
        self, guild_id: int, user_id: int, cohort_name: str | None
    ) -> tuple[Cohort, TopicRef | None]:
        """The member's cohort and current topic (None when finished)."""
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            caller.remember(session, membership)
            await caller.commit_noted(session)
            return cohort, self._memberships.topic_or_first(cohort, membership.current_topic_id)
