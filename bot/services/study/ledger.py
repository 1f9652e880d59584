"""A member's study time as read from the database: check-ins typed by hand and room time counted by
bot.services.study.rules, the two together on each local day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, Membership, StudySession
from bot.services.cohorts.schedule import local_date
from bot.services.study.rules import MIN_STAY, Piece, Stretch, counted, minutes_by_day, minutes_by_topic

EVER = datetime(2015, 1, 1, tzinfo=UTC)  # before any cohort: "since" for all of a cohort's time


@dataclass(frozen=True, slots=True)
class StudyTime:
    """One member's study time: minutes checked in and counted room pieces, by local day."""

    checkins: dict[date, int] = field(default_factory=dict)
    pieces: tuple[Piece, ...] = ()
    checked_in: tuple[tuple[datetime, int], ...] = ()  # (when, minutes) of every check-in with minutes

    @property
    def room_minutes(self) -> dict[date, int]:
        """Room minutes on each local day."""
        return minutes_by_day(self.pieces)

    def minutes_on(self, day: date) -> int:
        """Every minute studied that day, check-ins and rooms together (never more than 1,440)."""
        return self.checkins.get(day, 0) + self.room_minutes.get(day, 0)

    def minutes_in(self, start: datetime, end: datetime) -> int:
        """Minutes studied in [start, end): check-ins made then, and the room's counted time inside it
        (a stay across `start` or `end` counts its part inside). The one rule for a period's minutes:
        the leaderboard by minutes, and any week."""
        typed = sum(minutes for at, minutes in self.checked_in if start <= at < end)
        seconds = 0.0
        for piece in self.pieces:
            piece_end = piece.started_at + timedelta(seconds=piece.seconds)
            seconds += max(0.0, (min(end, piece_end) - max(start, piece.started_at)).total_seconds())
        return typed + int(seconds // 60)

    def room_days(self) -> set[date]:
        """The local days with at least one counted room minute: each keeps the streak."""
        return {day for day, minutes in self.room_minutes.items() if minutes > 0}

    def by_topic(self) -> dict[str | None, int]:
        """Room minutes on each topic."""
        return minutes_by_topic(self.pieces)


async def study_time(session: AsyncSession, membership_id: int, timezone: str, now: datetime) -> StudyTime:
    """The member's study time, counted in `timezone` as of `now` (an open stay counts until now)."""
    checkins = [
        (at, minutes or 0)
        for at, minutes in await session.execute(
            select(CheckIn.at, CheckIn.minutes).where(CheckIn.membership_id == membership_id)
        )
    ]
    stretches = [
        Stretch(*row)
        for row in await session.execute(select(*_STRETCH).where(StudySession.membership_id == membership_id))
    ]
    return tally(checkins, stretches, timezone, now)


_STRETCH = (
    StudySession.topic_id,
    StudySession.stay_started_at,
    StudySession.started_at,
    StudySession.ended_at,
    StudySession.source,
)


def tally(checkins: list[tuple[datetime, int]], stretches: list[Stretch], timezone: str, now: datetime) -> StudyTime:
    """A member's StudyTime from their check-ins (when, minutes) and their rows in the study room."""
    by_day: dict[date, int] = defaultdict(int)
    for at, minutes in checkins:
        by_day[local_date(at, timezone)] += minutes
    pieces = counted(stretches, by_day, timezone, now)
    return StudyTime(dict(by_day), tuple(pieces), tuple((at, m) for at, m in checkins if m))


async def cohort_study_times(
    session: AsyncSession, cohort_id: int, zones: dict[int, str], since: datetime, now: datetime
) -> dict[int, StudyTime]:
    """Study time of the cohort's members (`zones`: membership id -> their timezone), read from a day before
    `since` on (so every local day that reaches into it is whole, for its 1,440 minutes)."""
    floor = since - timedelta(days=2)
    checkins: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for membership_id, at, minutes in await session.execute(
        select(CheckIn.membership_id, CheckIn.at, CheckIn.minutes)
        .join(Membership, Membership.id == CheckIn.membership_id)
        .where(Membership.cohort_id == cohort_id, CheckIn.at >= floor)
    ):
        if membership_id in zones:
            checkins[membership_id].append((at, minutes or 0))
    stretches: dict[int, list[Stretch]] = defaultdict(list)
    for membership_id, *row in await session.execute(
        select(StudySession.membership_id, *_STRETCH).where(
            StudySession.cohort_id == cohort_id,
            or_(StudySession.ended_at.is_(None), StudySession.ended_at >= floor),
        )
    ):
        if membership_id in zones:
            stretches[membership_id].append(Stretch(*row))
    return {
        membership_id: tally(checkins[membership_id], stretches[membership_id], zone, now)
        for membership_id, zone in zones.items()
        if checkins.get(membership_id) or stretches.get(membership_id)
    }


async def last_room_study(session: AsyncSession, cohort_id: int, now: datetime) -> dict[int, datetime]:
    """When each member of the cohort last studied in its room (the end of their last stay that counts,
    now for one still going): activity for the moderators' report, by the rules' minimum stay."""
    ended = func.max(func.coalesce(StudySession.ended_at, StudySession.seen_at))
    latest: dict[int, datetime] = {}
    for membership_id, started, end, still_open in await session.execute(
        select(
            StudySession.membership_id,
            StudySession.stay_started_at,
            ended,
            func.sum(case((StudySession.ended_at.is_(None), 1), else_=0)),
        )
        .where(StudySession.cohort_id == cohort_id)
        .group_by(StudySession.membership_id, StudySession.source, StudySession.stay_started_at)
    ):
        end = now if still_open else end
        if end - started >= MIN_STAY:
            latest[membership_id] = max(latest.get(membership_id, end), end)
    return latest
