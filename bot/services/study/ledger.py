"""A member's study time as read from the database: check-ins typed by hand and room time counted by
bot.services.study.rules, the two together on each local day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, StudySession
from bot.services.cohorts.schedule import local_date
from bot.services.study.rules import MIN_STAY, Piece, Stretch, counted, minutes_by_day, minutes_by_topic


@dataclass(frozen=True, slots=True)
class StudyTime:
    """One member's study time: minutes checked in and counted room pieces, by local day."""

    checkins: dict[date, int] = field(default_factory=dict)
    pieces: tuple[Piece, ...] = ()

    @property
    def room_minutes(self) -> dict[date, int]:
        """Room minutes on each local day."""
        return minutes_by_day(self.pieces)

    def minutes_on(self, day: date) -> int:
        """Every minute studied that day, check-ins and rooms together (never more than 1,440)."""
        return self.checkins.get(day, 0) + self.room_minutes.get(day, 0)

    def minutes_between(self, first: date, last: date) -> int:
        """Minutes studied from `first` to `last` (local days, inclusive)."""
        room = self.room_minutes
        return sum(m for d, m in self.checkins.items() if first <= d <= last) + sum(
            m for d, m in room.items() if first <= d <= last
        )

    def room_days(self) -> set[date]:
        """The local days with at least one counted room minute: each keeps the streak."""
        return {day for day, minutes in self.room_minutes.items() if minutes > 0}

    def by_topic(self) -> dict[str | None, int]:
        """Room minutes on each topic."""
        return minutes_by_topic(self.pieces)


async def study_time(session: AsyncSession, membership_id: int, timezone: str, now: datetime) -> StudyTime:
    """The member's study time, counted in `timezone` as of `now` (an open stay counts until now)."""
    checkins: dict[date, int] = defaultdict(int)
    for at, minutes in await session.execute(
        select(CheckIn.at, CheckIn.minutes).where(CheckIn.membership_id == membership_id)
    ):
        checkins[local_date(at, timezone)] += minutes or 0
    stretches = [
        Stretch(*row)
        for row in await session.execute(
            select(
                StudySession.topic_id, StudySession.stay_started_at, StudySession.started_at, StudySession.ended_at
            ).where(StudySession.membership_id == membership_id)
        )
    ]
    return StudyTime(dict(checkins), tuple(counted(stretches, checkins, timezone, now)))


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
        .group_by(StudySession.membership_id, StudySession.stay_started_at)
    ):
        end = now if still_open else end
        if end - started >= MIN_STAY:
            latest[membership_id] = max(latest.get(membership_id, end), end)
    return latest
