"""The discord.py bot: loads the cogs, wires the error handler and syncs the slash commands."""

from __future__ import annotations

import contextlib
import logging

import discord
import yarl
from discord.ext import commands

from bot.cogs.nudge_buttons import NudgeButton
from bot.config import Settings
from bot.fanout import Fanout
from bot.health import write_heartbeat
from bot.scheduler import Scheduler
from bot.services.container import Services

log = logging.getLogger(__name__)

COGS = ("bot.cogs.member", "bot.cogs.moderator", "bot.cogs.routine")


def apply_endpoints(settings: Settings) -> None:
    """Point discord.py at the configured REST base and gateway (a proxy, or the loopback fake)."""
    discord.http.Route.BASE = settings.discord_api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def bot_intents() -> discord.Intents:
    """Slash commands carry the member in the payload: `guilds` (channels, roles) is all we need."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class StudyBot(commands.AutoShardedBot):
    """The bot. `services` holds the domain; cogs reach it through `bot.services`.

    Always sharded (one shard unless SHARD_COUNT says otherwise), so one process or many run the same
    code; with SHARD_COUNT set, discord.py never asks Discord how many shards to use.
    """

    def __init__(self, settings: Settings, services: Services, *, start_scheduler: bool = True) -> None:
        super().__init__(
            shard_count=settings.shard_count,
            shard_ids=settings.shard_id_list,
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            help_command=None,
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=True),
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
        )
        self.settings = settings
        self.services = services
        self._start_scheduler = start_scheduler
        self.fanout = Fanout(
            self,
            services,
            concurrency=settings.fanout_concurrency,
            requests_per_second=settings.discord_requests_per_second,
            retry_base_seconds=settings.delivery_retry_base_seconds,
        )
        self.scheduler = Scheduler(self.fanout, services.deliveries, settings.scheduler_tick_seconds, on_tick=self.beat)

    def beat(self) -> None:
        """Record that the scheduler ticks, and whether the gateway is up, for `studybot health`."""
        write_heartbeat(self.settings.heartbeat_path, ready=self.is_ready() and not self.is_closed())

    async def setup_hook(self) -> None:
        from bot.cogs.errors import install_error_handlers

        for cog in COGS:
            await self.load_extension(cog)
        install_error_handlers(self)
        # Nudge buttons are matched by their custom id pattern, so they work after a restart.
        self.add_dynamic_items(NudgeButton)
        await self.sync_commands()
        if self._start_scheduler:
            await self.scheduler.start()

    async def close(self) -> None:
        """Stop the scheduler (letting in-flight sends finish) before the HTTP session closes."""
        await self.scheduler.stop()
        await super().close()
        if self._start_scheduler:
            with contextlib.suppress(OSError):
                write_heartbeat(self.settings.heartbeat_path, ready=False)

    async def sync_commands(self) -> None:
        """Register the slash commands: per guild (instant) when COMMAND_GUILD_IDS is set, else globally."""
        guild_ids = self.settings.guild_ids
        if guild_ids:
            for guild_id in guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to guild %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    async def on_ready(self) -> None:
        log.info("ready as %s in %d guilds", self.user, len(self.guilds))
