"""Weekly goals (`/goal`): topics to finish and minutes to study in the cohort's week (from one weekly
leaderboard post to the next). Topics count as everywhere (a topic's first done, skips never); minutes
are StudyTime.minutes_in over the week: one rule each, the same as the boards'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, Membership, ProgressEvent, WeeklyGoal
from bot.i18n import Text
from bot.services import caller
from bot.services.clock import Clock
from bot.services.delivery.timers import member_timezone, zone_for
from bot.services.errors import Conflict, InvalidInput
from bot.services.progress.memberships import Memberships
from bot.services.progress.tallies import week_start
from bot.services.study.ledger import StudyTime, cohort_study_times, study_time
from bot.services.study.rules import DAY_MINUTES
from bot.usertext import md

MAX_GOAL_TOPICS = 50
MAX_GOAL_MINUTES = 7 * DAY_MINUTES  # a week holds no more


@dataclass(frozen=True, slots=True)
class GoalStatus:
    """A member's goal this week and how far they are (None parts: not part of the goal)."""

    cohort: Cohort
    week_start: datetime
    topics_goal: int | None
    topics_done: int
    minutes_goal: int | None
    minutes_done: int

    @property
    def met(self) -> bool:
        return (self.topics_goal or 0) <= self.topics_done and (self.minutes_goal or 0) <= self.minutes_done


def _check(value: int | None, most: int, what: Text) -> int | None:
    if value is not None and not 0 <= value <= most:
        raise InvalidInput(
            Text(
                "`{value}` is not accepted for {what}: give a number from 0 (no goal) to {most}.",
                value=value,
                what=what,
                most=most,
            )
        )
    return value


async def topics_done_in(session: AsyncSession, membership_ids: list[int], start: datetime, end: datetime) -> dict:
    """Topics each membership did in [start, end): first dones only (a topic counts once)."""
    rows = await session.execute(
        select(ProgressEvent.membership_id, func.count())
        .where(
            ProgressEvent.membership_id.in_(membership_ids),
            ProgressEvent.first_done.is_(True),
            ProgressEvent.at >= start,
            ProgressEvent.at < end,
        )
        .group_by(ProgressEvent.membership_id)
    )
    return dict(rows.all())


async def goal_status(
    session: AsyncSession, cohort: Cohort, membership: Membership, now: datetime, study: StudyTime | None = None
) -> GoalStatus | None:
    """The member's goal for the cohort's week `now` falls in, with how far they are; None without one
    (`study`: their study time, when the caller has read it already)."""
    start = week_start(cohort, now)
    goal = await session.get(WeeklyGoal, (membership.id, start))
    if goal is None:
        return None
    done = (await topics_done_in(session, [membership.id], start, now)).get(membership.id, 0)
    studied = (await study_time(session, membership.id, member_timezone(membership, cohort), now)).minutes_in(
        start, now
    )
    return GoalStatus(cohort, start, goal.topics, done, goal.minutes, studied)


async def open_goals(
    session: AsyncSession, members: dict[int, tuple[Membership, Cohort, datetime]], now: datetime
) -> dict[int, GoalStatus]:
    """Of `members` (any key -> membership, cohort, the week's end), the goals still open now: what their
    week's last nudge reminds them of. One query for the lot; the counts only for members with a goal."""
    if not members:
        return {}
    ids = {membership.id for membership, _, _ in members.values()}
    with_goal = set(
        await session.scalars(
            select(WeeklyGoal.membership_id).where(
                WeeklyGoal.membership_id.in_(ids), WeeklyGoal.week_start > now - timedelta(days=8)
            )
        )
    )
    found: dict[int, GoalStatus] = {}
    for key, (membership, cohort, _) in members.items():
        if membership.id in with_goal:
            status = await goal_status(session, cohort, membership, now)
            if status is not None and not status.met:
                found[key] = status
    return found


async def goals_met(session: AsyncSession, cohort: Cohort, start: datetime, end: datetime) -> tuple[int, int]:
    """(members who met their goal, members with one) for the week [start, end), active members only."""
    rows = (
        await session.execute(
            select(WeeklyGoal.membership_id, WeeklyGoal.topics, WeeklyGoal.minutes, Membership.timezone)
            .join(Membership, Membership.id == WeeklyGoal.membership_id)
            .where(WeeklyGoal.cohort_id == cohort.id, WeeklyGoal.week_start == start, Membership.left_at.is_(None))
        )
    ).all()
    if not rows:
        return 0, 0
    done = await topics_done_in(session, [r.membership_id for r in rows], start, end)
    zones = {r.membership_id: zone_for(r.timezone, cohort) for r in rows}
    times = await cohort_study_times(session, cohort.id, zones, start, end)
    statuses = [
        GoalStatus(
            cohort,
            start,
            r.topics,
            done.get(r.membership_id, 0),
            r.minutes,
            times[r.membership_id].minutes_in(start, end) if r.membership_id in times else 0,
        )
        for r in rows
    ]
    return sum(status.met for status in statuses), len(statuses)


class GoalService:
    """Set, change, clear and read a member's goal for the week."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], memberships: Memberships, clock: Clock) -> None:
        self._sessions = sessions
        self._memberships = memberships
        self._clock = clock

    async def goal(
        self, guild_id: int, user_id: int, cohort_name: str | None, topics: int | None, minutes: int | None
    ) -> GoalStatus | None:
        """`/goal`: with `topics` or `minutes`, set that part of this week's goal (0 clears it; a goal with
        no part left is gone); without, read it. The goal and how far the member is, or None."""
        topics = _check(topics, MAX_GOAL_TOPICS, Text("topics"))
        minutes = _check(minutes, MAX_GOAL_MINUTES, Text("minutes"))
        now = self._clock.now()
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            caller.remember(session, membership)
            if topics is not None or minutes is not None:
                if cohort.archived:
                    raise Conflict(
                        Text("The cohort **{cohort}** is archived: it takes no goals.", cohort=md(cohort.name))
                    )
                await self._set(session, cohort, membership, topics, minutes, now)
            status = await goal_status(session, cohort, membership, now)
            await caller.commit_noted(session)
            return status

    async def _set(
        self,
        session: AsyncSession,
        cohort: Cohort,
        membership: Membership,
        topics: int | None,
        minutes: int | None,
        now: datetime,
    ) -> None:
        start = week_start(cohort, now)
        goal = await session.get(WeeklyGoal, (membership.id, start))
        if goal is None:
            goal = WeeklyGoal(membership_id=membership.id, week_start=start, cohort_id=cohort.id)
            session.add(goal)
        if topics is not None:
            goal.topics = topics or None
        if minutes is not None:
            goal.minutes = minutes or None
        goal.set_at = now
        if goal.topics is None and goal.minutes is None:
            await session.flush()
            await session.execute(
                delete(WeeklyGoal).where(WeeklyGoal.membership_id == membership.id, WeeklyGoal.week_start == start)
            )
        await session.commit()
