"""The discord.py bot: loads the cogs, wires the error handler and syncs the slash commands."""

from __future__ import annotations

import logging

import discord
import yarl
from discord.ext import commands

from bot.config import Settings
from bot.services.container import Services

log = logging.getLogger(__name__)

COGS = ("bot.cogs.member", "bot.cogs.moderator")


def apply_endpoints(settings: Settings) -> None:
    """Point discord.py at the configured REST base and gateway (a proxy, or the loopback fake)."""
    discord.http.Route.BASE = settings.discord_api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def bot_intents() -> discord.Intents:
    """Slash commands carry the member in the payload: `guilds` (channels, roles) is all we need."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class StudyBot(commands.Bot):
    """The bot. `services` holds the domain; cogs reach it through `bot.services`."""

    def __init__(self, settings: Settings, services: Services) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            help_command=None,
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=True),
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
        )
        self.settings = settings
        self.services = services

    async def setup_hook(self) -> None:
        from bot.cogs.errors import install_error_handlers

        for cog in COGS:
            await self.load_extension(cog)
        install_error_handlers(self)
        await self.sync_commands()

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
