"""Option values of /cohort create and edit, as the cohort service takes them."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import discord

from bot import i18n
from bot.services.cohorts import ChannelChoice, CohortOptions

# The channel options, which become ChannelChoice; every other CohortOptions field but these is typed text.
_CHANNELS = ("channel", "report_channel")
_TYPED = {f.name for f in fields(CohortOptions)} - {*_CHANNELS, "moderator_role_id", "locale"}


async def channel_choice(interaction: discord.Interaction, channel: discord.TextChannel) -> ChannelChoice:
    """The channel with what the bot lacks to post there (viewing, sending, embedding links): the service
    refuses it, after it checked that the caller may make the change at all."""
    guild, me_user = interaction.guild, interaction.client.user
    assert guild is not None and me_user is not None
    me = guild.me or await guild.fetch_member(me_user.id)
    perms = channel.permissions_for(me)
    needed = {
        "View Channel": perms.view_channel,
        "Send Messages": perms.send_messages,
        "Embed Links": perms.embed_links,
    }
    return ChannelChoice(channel.id, tuple(name for name, ok in needed.items() if not ok))


async def cohort_options(interaction: discord.Interaction, given: dict[str, Any]) -> CohortOptions:
    """The settings among a command's arguments (`given`: its `locals()`, so that create and edit, which
    declare the options Discord shows, do not list them a second time to pass them on)."""
    role = given.get("moderator_role")
    values: dict[str, Any] = {name: given[name] for name in _TYPED if name in given}
    for option in _CHANNELS:
        if given.get(option) is not None:
            values[option] = await channel_choice(interaction, given[option])
    return CohortOptions(
        # The server's language for posts to the cohort's channels, refreshed by every create and edit.
        locale=i18n.language_for(interaction.guild_locale),
        moderator_role_id=role.id if role is not None else None,
        **values,
    )
