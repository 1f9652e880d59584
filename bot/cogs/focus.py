"""The /focus group: pomodoro timers, private or (in the cohort's study room) for the room."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.render import focus as texts
from bot.services.study.focus import FocusView
from bot.services.study.pomodoro import DEFAULT_BREAK, DEFAULT_FOCUS, DEFAULT_ROUNDS
from bot.ui import autocomplete as ac
from bot.ui.answers import Reply, answer_in_time
from bot.ui.checks import COHORT_HELP, UsesServices, guild_of, member_command
from bot.ui.focus import join_view, room_of
from bot.ui.host import Host
from bot.ui.options import BreakMinutes, FocusMinutes, FocusRounds, Name
from bot.ui.replies import send_ephemeral

log = logging.getLogger(__name__)


@app_commands.guild_only()
class FocusCog(UsesServices, commands.GroupCog, group_name="focus", group_description="Pomodoro focus timers"):
    """Focus timers (the cohort's moderators turn them on with /cohort edit focus:on)."""

    def __init__(self, bot: Host) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await member_command(interaction)

    @app_commands.command(name="start", description="Start a focus timer, or join the one running in your study room")
    @app_commands.describe(
        minutes=f"Minutes of focus per round (default {DEFAULT_FOCUS})",
        break_minutes=f"Minutes of break between rounds (default {DEFAULT_BREAK})",
        rounds=f"How many rounds (default {DEFAULT_ROUNDS})",
        cohort=COHORT_HELP,
    )
    @app_commands.rename(break_minutes="break")
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def start(
        self,
        interaction: discord.Interaction,
        minutes: FocusMinutes = DEFAULT_FOCUS,
        break_minutes: BreakMinutes = DEFAULT_BREAK,
        rounds: FocusRounds = DEFAULT_ROUNDS,
        cohort: Name | None = None,
    ) -> None:
        where, postable = await room_of(interaction)

        async def answer() -> Reply:  # a group timer is posted in the room first: it may take a while
            view = await self.services.focus.start(
                guild_of(interaction),
                interaction.user.id,
                cohort,
                minutes,
                break_minutes,
                rounds,
                where if postable else None,
            )
            text = texts.focus_answer(view)
            if where is not None and not postable and where == view.cohort.study_room_id:
                text += "\n" + texts.cannot_post_in_room(where)
            if view.room_id is not None and not view.joined and not await self._open_in_room(interaction, view):
                text += "\n" + texts.room_post_failed(view.room_id)
            return Reply(text)

        await answer_in_time(interaction, answer())

    async def _open_in_room(self, interaction: discord.Interaction, view: FocusView) -> bool:
        """Post the timer and its Join button in the room's chat (the timer runs whether or not it lands):
        whether it did."""
        assert view.room_id is not None
        channel = interaction.client.get_partial_messageable(view.room_id)
        try:
            await channel.send(
                texts.group_post(view, interaction.user.id),
                view=join_view(view.timer_id),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as error:
            log.warning("could not post focus timer %d in room %d: %s", view.timer_id, view.room_id, error)
            return False
        return True

    @app_commands.command(name="stop", description="Leave your focus timer (it ends when nobody is left in it)")
    async def stop(self, interaction: discord.Interaction) -> None:
        stopped = await self.services.focus.stop(guild_of(interaction), interaction.user.id)
        await send_ephemeral(interaction, texts.stopped_answer(stopped))


async def setup(bot: Host) -> None:
    await bot.add_cog(FocusCog(bot))
