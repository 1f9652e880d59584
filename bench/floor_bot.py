"""The floor: a do-nothing discord.py bot with the same `/progress` and `/done` options, answering at once.

Run by bench/interactions.py with the same environment as the real bot (DISCORD_TOKEN,
DISCORD_API_BASE_URL, DISCORD_GATEWAY_URL), so both pay the same fake and the same discord.py.
"""

from __future__ import annotations

import asyncio
import os

import discord
import yarl
from discord import app_commands


def main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE_URL"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    intents = discord.Intents.none()
    intents.guilds = True

    class Floor(discord.Client):
        async def setup_hook(self) -> None:
            await tree.sync()

    client = Floor(intents=intents, member_cache_flags=discord.MemberCacheFlags.none(), chunk_guilds_at_startup=False)
    tree = app_commands.CommandTree(client)

    @tree.command(name="progress")
    async def progress(
        interaction: discord.Interaction,
        member: discord.User | None = None,
        cohort: str | None = None,
        public: bool = False,
    ) -> None:
        await interaction.response.send_message("ok", ephemeral=not public)

    @tree.command(name="done")
    async def done(interaction: discord.Interaction, note: str | None = None, cohort: str | None = None) -> None:
        await interaction.response.send_message("ok")

    asyncio.run(client.start(os.environ["DISCORD_TOKEN"]))


if __name__ == "__main__":
    main()
