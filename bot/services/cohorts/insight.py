"""What moderators need to see: where members are, which topics hold them up, who has gone quiet."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CheckIn, Cohort, Membership, ProgressEvent
from bot.roadmap import Roadmap, RoadmapCatalog, Stage, TopicRef
from bot.services.clock import Clock
from bot.services.cohorts.breaks import breaks_of
from bot.services.cohorts.registry import CohortService
from bot.services.cohorts.schedule import local_date
from bot.services.delivery.timers import zone_for
from bot.services.progress.pace import CohortCalendar
from bot.services.progress.streaks import paused_days
from bot.services.study.ledger import EVER, cohort_study_times, last_room_study
from bot.services.together.showcase import SHARES_WEEK, SharedProject, shares_in
from bot.services.topics import cohort_roadmap

QUIET_DAYS = 7
STUCK_SHOWN = 5


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
class TopicStudy:
    """Study-room time members spent on a topic (bot.services.study.rules), against its calendar share."""

    topic: TopicRef
    members: int  # members with room time on it
    median_minutes: float
    budget_days: float


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a cohort's members are: how many on each stage, how many finished, the topics they are stuck on
    longest. The one count behind /cohort report, the weekly digest and the cohort's web page."""

    members: int
    per_stage: list[tuple[Stage, int]]
    finished: int
    stuck: list[StuckTopic]  # longest against their budget first, at most STUCK_SHOWN
    calendar: CohortCalendar  # the cohort's calendar these were counted on, its breaks skipped


# The active members as the standing reads them.
_MEMBERS = (
    Membership.id,
    Membership.user_id,
    Membership.current_topic_id,
    Membership.topic_started_at,
    Membership.joined_at,
    Membership.timezone,
)


def _standing(members: list, roadmap: Roadmap, calendar: CohortCalendar, cohort: Cohort, now: datetime) -> Standing:
    """Members per stage, finished, and stuck topics, each member counted on their own day (as their nudge
    and /progress count it)."""
    per_stage = {stage.id: 0 for stage in roadmap.stages}
    on_topic: dict[str, list[int]] = {}
    finished = 0
    for _id, _user, topic_id, started, _joined, own_zone in members:
        ref = roadmap.topic(topic_id) if topic_id else None
        if ref is None:
            finished += 1
            continue
        zone = zone_for(own_zone, cohort)
        per_stage[ref.stage.id] += 1
        on_topic.setdefault(ref.id, []).append(calendar.counted_days(local_date(started, zone), local_date(now, zone)))
    stuck = [
        StuckTopic(roadmap.topic(t), len(days), statistics.median(days), calendar.windows[t].length)  # type: ignore[arg-type]
        for t, days in on_topic.items()
    ]
    stuck.sort(key=lambda s: (-s.ratio, -s.members))
    return Standing(
        len(members),
        [(stage, per_stage[stage.id]) for stage in roadmap.stages],
        finished,
        [s for s in stuck if s.median_days > 0][:STUCK_SHOWN],
        calendar,
    )


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
    study: list[TopicStudy] = field(default_factory=list)  # most study-room time first, at most STUCK_SHOWN


class InsightService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], roadmaps: RoadmapCatalog, clock: Clock, cohorts: CohortService
    ) -> None:
        self._sessions = sessions
        self._roadmaps = roadmaps
        self._clock = clock
        self._cohorts = cohorts

    async def standing(self, cohort: Cohort) -> Standing:
        """Members per stage, finished, and the topics members are stuck on longest (the report's counts,
        without what only moderators read)."""
        async with self._sessions() as session:
            members = list(await session.execute(_members_of(cohort)))
            paused = await paused_days(session, cohort.id)
        roadmap = cohort_roadmap(self._roadmaps, cohort)
        calendar = CohortCalendar.build(roadmap, cohort.start_date, cohort.pace, paused)
        return _standing(members, roadmap, calendar, cohort, self._clock.now())

    async def report(self, cohort: Cohort) -> CohortReport:
        """Members per stage, the topics members are stuck on longest, and members quiet for a week."""
        async with self._sessions() as session:
            members = list(await session.execute(_members_of(cohort)))
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
            last_room = await last_room_study(session, cohort.id, now)
            zones = {row[0]: zone_for(row[5], cohort) for row in members}
            times = await cohort_study_times(session, cohort.id, zones, EVER, now)
            shares = await shares_in(session, cohort, now - SHARES_WEEK, now, roadmap)
            pauses = await breaks_of(session, cohort.id)
        calendar = CohortCalendar.build(roadmap, cohort.start_date, cohort.pace, paused)
        standing = _standing(members, roadmap, calendar, cohort, now)
        quiet: list[tuple[int, int]] = []
        for membership_id, user_id, topic_id, _started, joined, own_zone in members:
            # Each member's numbers on their own day, as their nudge and /progress count them.
            zone = zone_for(own_zone, cohort)
            studied = (last_event.get(membership_id), last_checkin.get(membership_id), last_room.get(membership_id))
            latest = max(t for t in (*studied, joined) if t)
            idle = calendar.counted_days(local_date(latest, zone), local_date(now, zone))
            if idle >= QUIET_DAYS and topic_id and roadmap.topic(topic_id) is not None:
                quiet.append((user_id, idle))
        on_topic_minutes: dict[str, list[int]] = {}
        for time in times.values():
            for topic_id, minutes in time.by_topic().items():
                if minutes and topic_id in calendar.windows:
                    on_topic_minutes.setdefault(topic_id, []).append(minutes)
        study = [
            TopicStudy(roadmap.topic(t), len(m), statistics.median(m), calendar.windows[t].length)  # type: ignore[arg-type]
            for t, m in on_topic_minutes.items()
        ]
        study.sort(key=lambda s: (-s.median_minutes, -s.members))
        quiet.sort(key=lambda q: -q[1])
        return CohortReport(
            cohort,
            standing.members,
            standing.per_stage,
            standing.finished,
            standing.stuck,
            quiet,
            pauses,
            shares,
            study[:STUCK_SHOWN],
        )


def _members_of(cohort: Cohort) -> Select:
    return select(*_MEMBERS).where(Membership.cohort_id == cohort.id, Membership.left_at.is_(None))
