"""The claim of a scheduled send: a delivery row with a unique (kind, target, period) key, committed
before any HTTP call, so nothing is ever sent twice (bot.services.delivery.due)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery
from bot.db.upsert import insert_unless_taken

# The kinds of delivery and what their target id is: a membership's, or a cohort's.
MEMBER_KINDS = ("nudge", "buddy")
COHORT_KINDS = ("leaderboard", "report", "dm-notice", "buddies")


async def claim(
    session: AsyncSession,
    kind: str,
    target_id: int,
    period: str,
    scheduled_for: datetime,
    now: datetime,
    *,
    status: str = "claimed",
    error: str | None = None,
) -> int | None:
    """Insert the delivery row; its id, or None when that (kind, target, period) was already taken. A row
    claimed with another status than `claimed` is finished at once (`skipped`, or the week's pairing:
    `sent` once its groups are recorded, its DMs being deliveries of their own)."""
    result = await session.execute(
        insert_unless_taken(session, Delivery, ["kind", "target_id", "period"])
        .values(
            kind=kind,
            target_id=target_id,
            period=period,
            status=status,
            scheduled_for=scheduled_for,
            claimed_at=now,
            finished_at=None if status == "claimed" else now,
            attempts=0,
            error=error,
        )
        .returning(Delivery.id)
    )
    return result.scalar_one_or_none()
