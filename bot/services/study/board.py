"""The leaderboard by minutes studied (`/leaderboard metric:minutes`): check-ins and study-room time in a
period, by the one rule of bot.services.study.ledger.StudyTime.minutes_in. Skips never count, and idle
time is never study (the rules leave it out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Cohort, Membership
from bot.services.delivery.timers import zone_for
from bot.services.study.ledger import cohort_study_times

TOP = 10


@dataclass(frozen=True, slots=True)
class MinutesEntry:
    rank: int
    user_id: int
    minutes: int


@dataclass(frozen=True, slots=True)
class MinutesBoard:
    """Members ranked by minutes studied in [start, end); ties go to who joined the cohort first."""

    cohort: Cohort
    period: str
    start: datetime
    end: datetime
    top: list[MinutesEntry]
    ranked: int  # everyone shown with at least one minute
    own: MinutesEntry | None = None  # the viewer, ranked below the top
    own_hidden_minutes: int | None = None  # the viewer's minutes when they hide from the ranking

    def entry_for(self, user_id: int) -> MinutesEntry | None:
        return next((e for e in (*self.top, *([self.own] if self.own else [])) if e.user_id == user_id), None)


async def minutes_board(
    session: AsyncSession,
    cohort: Cohort,
    period: str,
    start: datetime,
    end: datetime,
    now: datetime,
    viewer_id: int | None,
) -> MinutesBoard:
    """Rank the cohort's active members by minutes studied in [start, end) (as of `now`; `viewer_id`: whose
    own place or minutes to add, None for the weekly post)."""
    members = (
        await session.execute(
            select(Membership.id, Membership.user_id, Membership.timezone, Membership.show_on_leaderboard).where(
                Membership.cohort_id == cohort.id, Membership.left_at.is_(None)
            )
        )
    ).all()
    zones = {m.id: zone_for(m.timezone, cohort) for m in members}
    times = await cohort_study_times(session, cohort.id, zones, start, now)
    minutes = {m.id: times[m.id].minutes_in(start, end) if m.id in times else 0 for m in members}
    shown = sorted(
        (m for m in members if m.show_on_leaderboard and minutes[m.id] > 0), key=lambda m: (-minutes[m.id], m.id)
    )
    ranked = [MinutesEntry(n, m.user_id, minutes[m.id]) for n, m in enumerate(shown, 1)]
    viewer = next((m for m in members if m.user_id == viewer_id), None)
    own = next((e for e in ranked[TOP:] if e.user_id == viewer_id), None)
    hidden = minutes[viewer.id] if viewer is not None and not viewer.show_on_leaderboard else None
    return MinutesBoard(cohort, period, start, end, ranked[:TOP], len(ranked), own, hidden)
