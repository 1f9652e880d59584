"""Study rooms: voice changes reach the study-time service; a (re)connect reconciles every guild's stays
with the voice states Discord lists then. No commands: moderators pick the room with /cohort edit."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.discord_side.voice import counted_channel, reconcile_rooms
from bot.ui.checks import UsesServices
from bot.ui.host import Host

log = logging.getLogger(__name__)


class StudyRoomCog(UsesServices, commands.Cog):
    """Listens to voice states; the rules of what counts are bot.services.study.rules'."""

    def __init__(self, bot: Host) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        if member.bot:
            return
        was, now = counted_channel(before, member.guild), counted_channel(after, member.guild)
        if was != now:  # a mute, a camera or a stream changes nothing studied
            await self.services.study_rooms.moved(member.guild.id, member.id, now)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        result = await reconcile_rooms(self._client, self.services.study_rooms, guild.id, restarted=True)
        if result.ended or result.begun or result.kept:
            log.info(
                "study rooms of guild %s: %d stays ended, %d begun, %d kept",
                guild.id,
                result.ended,
                result.begun,
                result.kept,
            )

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        # Added (again) after the bot started: stays from an earlier time in the guild end where last seen.
        await self.on_guild_available(guild)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.services.study_rooms.reconcile(guild.id, {}, restarted=False)  # nobody is seen there now
        self.services.study_rooms.forget_guild(guild.id)

    @commands.Cog.listener()
    async def on_shard_disconnect(self, shard_id: int) -> None:
        # Nobody vouches for a stay while the gateway is down: a reconnect reconciles what it missed.
        for guild in self._client.guilds:
            if guild.shard_id == shard_id:
                self.services.study_rooms.forget_guild(guild.id)

    @commands.Cog.listener()
    async def on_shard_resumed(self, shard_id: int) -> None:
        # A resume replays the voice changes it missed, in order: the stays are right again.
        for guild in self._client.guilds:
            if guild.shard_id == shard_id:
                self.services.study_rooms.watch(guild.id)

    @property
    def _client(self) -> discord.Client:
        return self.bot  # type: ignore[return-value]


async def setup(bot: Host) -> None:
    await bot.add_cog(StudyRoomCog(bot))
