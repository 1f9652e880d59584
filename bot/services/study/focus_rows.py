"""Taking members out of focus timers, row by row: the part of bot.services.study.focus that leaving a
cohort, turning focus off and archiving use (inside their own transactions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import FocusParticipant, FocusTimer

_P = FocusParticipant


async def end_focus(session: AsyncSession, where: ColumnElement[bool], at: datetime) -> None:
    """Take the participants `where` selects out of their running timers at `at` (they left the cohort,
    focus was turned off, the cohort was archived), and end the timers nobody is left in. Inside the
    caller's transaction; the round they were in counts nothing."""
    timers = select(_P.timer_id).where(_P.left_at.is_(None), where).scalar_subquery()
    touched = list(await session.scalars(select(FocusTimer.id).where(FocusTimer.id.in_(timers))))
    if not touched:
        return
    await session.execute(update(_P).where(_P.left_at.is_(None), where).values(left_at=at))
    await end_empty(session, touched, at)


async def end_empty(session: AsyncSession, timer_ids: list[int], at: datetime) -> bool:
    """End those of the timers nobody is in any more; whether any was."""
    still = select(_P.id).where(_P.timer_id == FocusTimer.id, _P.left_at.is_(None)).exists()
    result = await session.execute(
        update(FocusTimer)
        .where(FocusTimer.id.in_(timer_ids), FocusTimer.ended_at.is_(None), ~still)
        .values(ended_at=at, next_bell_at=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def in_cohort(cohort_id: int) -> ColumnElement[bool]:
    """Everyone in a timer of the cohort, for end_focus."""
    return _P.timer_id.in_(select(FocusTimer.id).where(FocusTimer.cohort_id == cohort_id))
