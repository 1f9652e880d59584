"""Which members' DMs are known to be closed, kept in memory so that a command costs no query to check.

Loaded from the database on first use; the fan-out adds a member when Discord answers 50007, and the
member's next command removes them. One process holds the truth for its guilds: the process that
sends a guild's nudges is the one that receives that guild's commands (sharding is by guild).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, Membership


class ClosedDms:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._keys: set[tuple[int, int]] | None = None
        self._loading = asyncio.Lock()

    async def _load(self) -> set[tuple[int, int]]:
        async with self._loading:
            if self._keys is None:
                async with self._sessions() as session:
                    rows = await session.execute(
                        select(Cohort.guild_id, Membership.user_id)
                        .join(Membership, Membership.cohort_id == Cohort.id)
                        .where(Membership.dm_closed_at.is_not(None))
                    )
                    self._keys = {(guild_id, user_id) for guild_id, user_id in rows}
            return self._keys

    async def contains(self, guild_id: int, user_id: int) -> bool:
        keys = self._keys if self._keys is not None else await self._load()
        return (guild_id, user_id) in keys

    async def add(self, guild_id: int, user_id: int) -> None:
        (await self._load()).add((guild_id, user_id))

    async def discard(self, guild_id: int, user_id: int) -> None:
        (await self._load()).discard((guild_id, user_id))
