"""The /buddy group: a member opts in to (or out of) the weekly study-buddy pairing, or sees their group."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.ui import autocomplete as ac
from bot.ui.checks import COHORT_HELP, UsesServices, guild_of, member_command
from bot.ui.host import Host
from bot.ui.options import Name
from bot.ui.replies import send_ephemeral


@app_commands.guild_only()
class BuddyCog(UsesServices, commands.GroupCog, group_name="buddy", group_description="Weekly study buddies"):
    """A member's study-buddy choice (the cohort's moderators turn the feature on with /cohort edit)."""

    def __init__(self, bot: Host) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await member_command(interaction)

    @app_commands.command(name="on", description="Be paired each week with a member near you on the roadmap")
    @app_commands.describe(cohort=COHORT_HELP)
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def on(self, interaction: discord.Interaction, cohort: Name | None = None) -> None:
        await self._opt(interaction, cohort, wanted=True)

    @app_commands.command(name="off", description="Stop being paired with a study buddy")
    @app_commands.describe(cohort=COHORT_HELP)
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def off(self, interaction: discord.Interaction, cohort: Name | None = None) -> None:
        await self._opt(interaction, cohort, wanted=False)

    async def _opt(self, interaction: discord.Interaction, cohort: str | None, *, wanted: bool) -> None:
        status = await self.services.buddies.opt(guild_of(interaction), interaction.user.id, cohort, wanted)
        await send_ephemeral(interaction, embed=render.buddy_status_embed(status))

    @app_commands.command(name="show", description="Your study buddies this week and where they are")
    @app_commands.describe(cohort=COHORT_HELP)
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def show(self, interaction: discord.Interaction, cohort: Name | None = None) -> None:
        status = await self.services.buddies.show(guild_of(interaction), interaction.user.id, cohort)
        await send_ephemeral(interaction, embed=render.buddy_status_embed(status))


async def setup(bot: Host) -> None:
    await bot.add_cog(BuddyCog(bot))
