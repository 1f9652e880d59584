"""The Join button under a group focus timer's post. Its custom id carries the timer, so it works after a
restart without any state in memory (discord.py matches it by pattern, as the nudge buttons)."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot import i18n
from bot.discord_side.access import WRITING, bot_lacks, lacking
from bot.discord_side.voice import counted_for
from bot.render import focus as texts
from bot.services import caller
from bot.ui.host import host
from bot.ui.replies import report_error, send_ephemeral

PATTERN = r"focus:join:(?P<timer>[0-9]+)"


async def room_of(interaction: discord.Interaction) -> tuple[int | None, bool]:
    """The voice channel the member counts as present in (None: none), and whether a group timer may ring in
    its chat: the bot may post there, and so may the member (the bot posts the timer for them, so it never
    speaks where they are not allowed to)."""
    guild, user = interaction.guild, interaction.user
    where = counted_for(user, guild)
    if guild is None or where is None or not isinstance(user, discord.Member):
        return None, False
    channel = guild.get_channel(where)
    if channel is None or lacking(channel.permissions_for(user), WRITING):
        return where, False
    return where, not await bot_lacks(interaction, channel, WRITING)


class FocusJoinButton(discord.ui.DynamicItem[discord.ui.Button], template=PATTERN):
    """Join a group focus timer (for who is in its room and in its cohort)."""

    def __init__(self, timer_id: int) -> None:
        button = discord.ui.Button(
            label=texts.join_label(), style=discord.ButtonStyle.success, custom_id=f"focus:join:{timer_id}"
        )
        super().__init__(button)
        self.timer_id = timer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> FocusJoinButton:
        return cls(int(match["timer"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        i18n.use(interaction.locale)
        caller.use_name(interaction.user.display_name)
        try:
            if interaction.guild_id is None:
                raise ValueError("a focus timer's Join button outside a server")
            where, _ = await room_of(interaction)
            view = await host(interaction).services.focus.join(
                self.timer_id, interaction.guild_id, interaction.user.id, where
            )
            await send_ephemeral(interaction, texts.focus_answer(view))
        except Exception as error:  # every failure ends in an answer, never "interaction failed"
            await report_error(interaction, error, "focus join button")


def join_view(timer_id: int) -> discord.ui.View:
    """The Join button for one group timer."""
    view = discord.ui.View(timeout=None)
    view.add_item(FocusJoinButton(timer_id))
    view.stop()  # matched by the DynamicItem pattern, nothing kept in memory
    return view
