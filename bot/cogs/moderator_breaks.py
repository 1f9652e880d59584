"""The /cohort commands for planned breaks: `pause` adds or corrects one, `unpause` removes one (or ends
a running one early). A mixin of the /cohort group cog (bot.cogs.moderator), which provides
`_stage_events`: stage events move with every change of the calendar."""

from __future__ import annotations

import discord
from discord import app_commands

from bot import render
from bot.db.models import Cohort
from bot.services.cohorts.breaks import BreakChange
from bot.ui import autocomplete as ac
from bot.ui.checks import UsesServices, authority_of, guild_of
from bot.ui.options import Date, Name
from bot.ui.replies import send_ephemeral


class BreakCommands(UsesServices):
    """/cohort pause and /cohort unpause."""

    async def _stage_events(self, interaction: discord.Interaction, cohort: Cohort) -> str:
        raise NotImplementedError  # the /cohort cog's

    @app_commands.command(
        name="pause", description="Add a planned break, or correct one: the calendar and streaks wait"
    )
    @app_commands.describe(
        cohort="The cohort",
        start="First day of the break, YYYY-MM-DD",
        end="Last day of the break, YYYY-MM-DD",
        replace="A break of the cohort to change to these days instead of adding one",
    )
    @app_commands.rename(start="from", end="to")
    @app_commands.autocomplete(cohort=ac.all_cohorts, replace=ac.breaks)
    async def pause(
        self, interaction: discord.Interaction, cohort: Name, start: Date, end: Date, replace: Date | None = None
    ) -> None:
        guild_id, by = guild_of(interaction), authority_of(interaction)
        change = await self.services.breaks.pause(guild_id, cohort, start, end, by, replace)
        await self._answer(interaction, change)

    @app_commands.command(name="unpause", description="Remove a planned break, or end a running one early")
    @app_commands.describe(cohort="The cohort", which="The break (its first day, YYYY-MM-DD)")
    @app_commands.rename(which="break")
    @app_commands.autocomplete(cohort=ac.all_cohorts, which=ac.breaks)
    async def unpause(self, interaction: discord.Interaction, cohort: Name, which: Date) -> None:
        guild_id, by = guild_of(interaction), authority_of(interaction)
        change = await self.services.breaks.unpause(guild_id, cohort, which, by)
        await self._answer(interaction, change)

    async def _answer(self, interaction: discord.Interaction, change: BreakChange) -> None:
        text = render.break_change_text(change) + await self._stage_events(interaction, change.cohort)
        report = await self.services.insight.report(change.cohort)
        await send_ephemeral(interaction, text, embed=render.report_embed(report))
