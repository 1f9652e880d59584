"""What deleted cohorts left on Discord because the bot lacked the permission to remove it then
(scheduled events, roles it created): kept here, and removed by bot.discord_side.leftovers once the bot may. No
Discord here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import DiscordLeftover
from bot.db.upsert import insert_unless_taken
from bot.services.clock import Clock

EVENT = "event"
ROLE = "role"


@dataclass(frozen=True, slots=True)
class Leftover:
    """One object to remove: its server, kind (EVENT or ROLE) and id."""

    guild_id: int
    kind: str
    discord_id: int


class Leftovers:
    """The record of objects still to remove."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def keep(self, guild_id: int, kind: str, discord_ids: Iterable[int]) -> None:
        """Remember objects the bot could not remove now (each once)."""
        ids = list(discord_ids)
        if not ids:
            return
        async with self._sessions() as session:
            for discord_id in ids:
                await session.execute(
                    insert_unless_taken(session, DiscordLeftover, ["kind", "discord_id"]).values(
                        guild_id=guild_id, kind=kind, discord_id=discord_id, left_at=self._clock.now()
                    )
                )
            await session.commit()

    async def pending(self) -> list[Leftover]:
        """Everything still to remove (a short list: only what a deletion could not remove)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(DiscordLeftover.guild_id, DiscordLeftover.kind, DiscordLeftover.discord_id).order_by(
                    DiscordLeftover.id
                )
            )
            return [Leftover(*row) for row in rows]

    async def removed(self, leftover: Leftover) -> None:
        """The object is gone from Discord (removed now, or by someone else)."""
        async with self._sessions() as session:
            await session.execute(
                delete(DiscordLeftover).where(
                    DiscordLeftover.kind == leftover.kind, DiscordLeftover.discord_id == leftover.discord_id
                )
            )
            await session.commit()
