"""Streaks: consecutive local days with study activity (a done topic or a check-in)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import String, bindparam, literal, select, union_all
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


# Done topics (with their id) and check-ins (id None) of one membership, in one round trip.
_ACTIVITY = union_all(
    select(ProgressEvent.topic_id, ProgressEvent.at).where(
        ProgressEvent.membership_id == bindparam("membership_id"), ProgressEvent.kind == "done"
    ),
    select(literal(None, String).label("topic_id"), CheckIn.at).where(
        CheckIn.membership_id == bindparam("membership_id")
    ),
)


async def member_activity(session: AsyncSession, membership_id: int) -> list[tuple[str | None, datetime]]:
    """(topic id, time) of every done topic, and (None, time) of every check-in."""
    return [(topic_id, at) for topic_id, at in await session.execute(_ACTIVITY, {"membership_id": membership_id})]


async def member_streak(session: AsyncSession, membership_id: int, timezone: str, today: date) -> int:
    """The member's streak in their timezone, from their done topics and check-ins."""
    activity = await member_activity(session, membership_id)
    return current_streak((local_date(at, timezone) for _, at in activity), today)
