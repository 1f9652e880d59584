"""Data written straight into the database, as a bot that had been running would have left it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Cohort, Membership, joining


async def due_cohort(
    conn: AsyncConnection,
    *,
    guild_id: int,
    channel_id: int,
    name: str,
    user_ids: list[int],
    leaderboard_due: bool = False,
    dm_channels: dict[int, int] | None = None,
) -> int:
    """A cohort whose members' nudges (and, optionally, weekly leaderboard) fell due a moment ago;
    `dm_channels` (user id -> channel id) are DM channels the bot opened before (one request a nudge)."""
    now = datetime.now(UTC)
    cohort_id = (
        await conn.execute(
            insert(Cohort).returning(Cohort.id),
            {
                "guild_id": guild_id,
                "name": name,
                "name_key": name,
                "channel_id": channel_id,
                "start_date": date(2026, 1, 5),
                "timezone": "UTC",
                "nudge_time": "09:00",
                "leaderboard_weekday": 0,
                "leaderboard_time": "18:00",
                "pace": "standard",
                "created_by": 1,
                "created_at": now,
                "next_leaderboard_at": now - timedelta(seconds=20) if leaderboard_due else None,
            },
        )
    ).scalar_one()
    await conn.execute(
        insert(Membership),
        [
            {
                **joining(cohort_id, uid, "dns", now),
                "next_nudge_at": now - timedelta(seconds=30),
                "dm_channel_id": (dm_channels or {}).get(uid),
            }
            for uid in user_ids
        ],
    )
    return cohort_id
