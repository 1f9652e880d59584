"""What moderators need to see: where members are, which topics hold them up, who has gone quiet."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CheckIn, Cohort, CohortPause, Membership, ProgressEvent
from bot.i18n import t
from bot.roadmap import RoadmapCatalog, Stage, TopicRef
from bot.services import validation as v
from bot.services.authority import Authority
from bot.services.clock import Clock
from bot.services.cohorts import CohortService
from bot.services.errors import Conflict, InvalidInput
from bot.services.pace import CohortCalendar
from bot.services.schedule import local_date
from bot.services.showcase import SHARES_WEEK, SharedProject, shares_in
from bot.services.streaks import paused_days
from bot.services.topics import cohort_roadmap
from bot.usertext import md

QUIET_DAYS = 7
STUCK_SHOWN = 5
MAX_PAUSE_DAYS = 90


@dataclass(frozen=True, slots=True)
class StuckTopic:
    topic: TopicRef
    members: int
    median_days: float
    budget_days: float

    @property
    def ratio(self) -> float:
        return self.median_days / self.budget_days if self.budget_days else 0.0


@dataclass(frozen=True, slots=True)
class CohortReport:
    cohort: Cohort
    members: int
    per_stage: list[tuple[Stage, int]]
    finished: int
    stuck: list[StuckTopic]  # longest against their budget first
    quiet: list[tuple[int, int]]  # (user id, days without progress or check-in), quietest first
    pauses: list[tuple[date, date]]
    shares: list[SharedProject] = field(default_factory=list)  # projects shared in the last seven days


class InsightService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], roadmaps: RoadmapCatalog, clock: Clock, cohorts: CohortService
    ) -> None:
        self._sessions = sessions
        self._roadmaps = roadmaps
        self._clock = clock
        self._cohorts = cohorts

    async def report(self, cohort: Cohort) -> CohortReport:
        """Members per stage, the topics members are stuck on longest, and members quiet for a week."""
        async with self._sessions() as session:
            members = (
                await session.execute(
                    select(
                        Membership.id,
                        Membership.user_id,
                        Membership.current_topic_id,
                        Membership.topic_started_at,
                        Membership.joined_at,
                    ).where(Membership.cohort_id == cohort.id, Membership.left_at.is_(None))
                )
            ).all()
            last_event = dict(
                (
                    await session.execute(
                        select(ProgressEvent.membership_id, func.max(ProgressEvent.at))
                        .where(ProgressEvent.cohort_id == cohort.id)
                        .group_by(ProgressEvent.membership_id)
                    )
                ).all()
            )
            last_checkin = dict(
                (
                    await session.execute(
                        select(CheckIn.membership_id, func.max(CheckIn.at))
                        .join(Membership, Membership.id == CheckIn.membership_id)
                        .where(Membership.cohort_id == cohort.id)
                        .group_by(CheckIn.membership_id)
                    )
                ).all()
            )
            paused = await paused_days(session, cohort.id)
            roadmap = cohort_roadmap(self._roadmaps, cohort)
            now = self._clock.now()
            shares = await shares_in(session, cohort, now - SHARES_WEEK, now, roadmap)
            pauses = [
                tuple(r)
                for r in await session.execute(
                    select(CohortPause.start_date, CohortPause.end_date)
                    .where(CohortPause.cohort_id == cohort.id)
                    .order_by(CohortPause.start_date)
                )
            ]
        today = local_date(self._clock.now(), cohort.timezone)
        calendar = CohortCalendar.build(roadmap, cohort.start_date, cohort.pace, paused)
        per_stage = {stage.id: 0 for stage in roadmap.stages}
        on_topic: dict[str, list[int]] = {}
        quiet: list[tuple[int, int]] = []
        finished = 0
        for membership_id, user_id, topic_id, started, joined in members:
            ref = roadmap.topic(topic_id) if topic_id else None
            if ref is None:
                finished += 1
            else:
                per_stage[ref.stage.id] += 1
                on_topic.setdefault(ref.id, []).append((today - local_date(started, cohort.timezone)).days)
            latest = max(t for t in (last_event.get(membership_id), last_checkin.get(membership_id), joined) if t)
            idle = (today - local_date(latest, cohort.timezone)).days
            if idle >= QUIET_DAYS and ref is not None:
                quiet.append((user_id, idle))
        stuck = [
            StuckTopic(roadmap.topic(t), len(days), statistics.median(days), calendar.windows[t].length)  # type: ignore[arg-type]
            for t, days in on_topic.items()
        ]
        stuck.sort(key=lambda s: (-s.ratio, -s.members))
        quiet.sort(key=lambda q: -q[1])
        return CohortReport(
            cohort,
            len(members),
            [(s, per_stage[s.id]) for s in roadmap.stages],
            finished,
            [s for s in stuck if s.median_days > 0][:STUCK_SHOWN],
            quiet,
            pauses,
            shares,
        )

    async def pause(self, guild_id: int, cohort_name: str, start: str, end: str, by: Authority) -> CohortReport:
        """A moderator adds a planned break (both days included) to a cohort's calendar: not before the
        cohort starts, not in the past, at most two years ahead, and overlapping no break it already has."""
        async with self._sessions() as session:
            cohort = await self._cohorts.find_moderated(session, guild_id, cohort_name, by)
            first, last = _break_days(start, end, self._clock.now().date())
            if cohort.archived:
                raise Conflict(
                    t("The cohort **{cohort}** is archived: its calendar no longer changes.", cohort=md(cohort.name))
                )
            if first < cohort.start_date:
                raise InvalidInput(
                    t(
                        "**{cohort}** starts on {start}: a break must begin on or after that day.",
                        cohort=md(cohort.name),
                        start=cohort.start_date.isoformat(),
                    )
                )
            today_there = local_date(self._clock.now(), cohort.timezone)
            if first < today_there:
                # Those days' nudges went out and their pace was shown: a break cannot be put behind us.
                raise InvalidInput(
                    t(
                        "A break cannot begin in the past: today is {today} in **{cohort}**'s timezone. "
                        "Start it today or later.",
                        today=today_there.isoformat(),
                        cohort=md(cohort.name),
                    )
                )
            clash = await session.scalar(
                select(CohortPause)
                .where(
                    CohortPause.cohort_id == cohort.id,
                    CohortPause.start_date <= last,
                    CohortPause.end_date >= first,
                )
                .order_by(CohortPause.start_date)
                .limit(1)
            )
            if clash is not None:
                raise Conflict(
                    t(
                        "**{cohort}** already has a break {start} → {end}, which overlaps this one. "
                        "Pick days outside it.",
                        cohort=md(cohort.name),
                        start=clash.start_date.isoformat(),
                        end=clash.end_date.isoformat(),
                    )
                )
            session.add(
                CohortPause(
                    cohort_id=cohort.id,
                    start_date=first,
                    end_date=last,
                    created_by=by.user_id,
                    created_at=self._clock.now(),
                )
            )
            await session.commit()
        return await self.report(cohort)


def _break_days(start: str, end: str, today: date) -> tuple[date, date]:
    """The first and last day of a break as typed: real dates, in order, at most MAX_PAUSE_DAYS apart."""
    first = v.parse_calendar_date(start, t("`from` date"), today)
    last = v.parse_calendar_date(end, t("`to` date"), today)
    if last < first:
        raise InvalidInput(
            t(
                "The break ends ({last}) before it starts ({first}): `to` must be on or after `from`.",
                last=last,
                first=first,
            )
        )
    if (last - first).days + 1 > MAX_PAUSE_DAYS:
        raise InvalidInput(
            t(
                "A break can be at most {MAX_PAUSE_DAYS} days; split longer ones or change the start date.",
                MAX_PAUSE_DAYS=MAX_PAUSE_DAYS,
            )
        )
    return first, last
