"""Streaks: consecutive local days with study activity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


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
