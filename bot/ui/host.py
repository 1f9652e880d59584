"""What the cogs and views need of the bot (bot.process.app.StudyBot is one): its services, and a place to
record a finished command. A Protocol, so the user interface never imports the composition."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

import discord

if TYPE_CHECKING:
    from discord.ext import commands

    from bot.services.container import Services
    from bot.services.pages.links import PageLinks


class Host(Protocol):
    @property
    def services(self) -> Services: ...

    @property
    def page_links(self) -> PageLinks | None:
        """Page links, when this bot serves web pages (WEB_PORT and PAGE_SECRET set); None: pages are off."""
        ...

    def record_command(self, interaction: discord.Interaction, outcome: str) -> None: ...

    async def add_cog(self, cog: commands.Cog, /, **options: Any) -> None: ...


def host(interaction: discord.Interaction) -> Host:
    """The bot an interaction reached."""
    return cast(Host, interaction.client)
