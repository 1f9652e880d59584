"""Streaks: consecutive local days with study activity (a done topic or a check-in)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, ProgressEvent
from bot.services.schedule import local_date


def current_streak(active_days: Iterable[date], today: date) -> int:
    """Consecutive days with activity ending today, or ending yesterday if today has none yet.

    Counting from yesterday keeps a streak alive during the day, before the member has studied.
    """
    days = set(active_days)
    cursor = today if today in days else today - timedelta(days=1)
    streak = 0
    while cursor in days:
        streak += 1
        cursor -= timedelta(days=1)
    return streak


async def member_streak(session: AsyncSession, membership_id: int, timezone: str, today: date) -> int:
    """The member's streak in their timezone, from their done topics and check-ins."""
    moments = union_all(
        select(ProgressEvent.at).where(ProgressEvent.membership_id == membership_id, ProgressEvent.kind == "done"),
        select(CheckIn.at).where(CheckIn.membership_id == membership_id),
    )
    rows = await session.execute(select(moments.subquery().c.at))
    return current_streak((local_date(at, timezone) for (at,) in rows), today)
