"""Checks every command of a cog runs first (a cog's `interaction_check`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.authority import Authority
from bot.ui.host import Host, host

if TYPE_CHECKING:
    from bot.services.container import Services


def authority_of(interaction: discord.Interaction) -> Authority:
    """What the services need to know of the caller to decide what they may moderate and hand out."""
    user = interaction.user
    roles = frozenset(role.id for role in getattr(user, "roles", []))
    guild = interaction.guild
    owner = guild is not None and guild.owner_id == user.id
    top = getattr(getattr(user, "top_role", None), "position", 0)
    permissions = interaction.permissions
    return Authority(user.id, permissions.manage_guild, roles, permissions.manage_roles, None if owner else top)


# The `cohort` option of member commands.
COHORT_HELP = "Which of your cohorts (only needed when you are in several)"


def guild_of(interaction: discord.Interaction) -> int:
    """The server a command came from (`guild_only` and `require_guild` keep DMs out; this narrows the type)."""
    assert interaction.guild_id is not None
    return interaction.guild_id


def require_guild(interaction: discord.Interaction) -> bool:
    """Refuse DMs on our side too: `guild_only` only tells Discord's client where to show a command."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return True


async def member_command(interaction: discord.Interaction) -> bool:
    """Guild only; and a member whose DMs were found closed gets nudges again once they use a command."""
    require_guild(interaction)
    assert interaction.guild_id is not None
    await host(interaction).services.members.reopen_dms(interaction.guild_id, interaction.user.id)
    return True


class UsesServices:
    """For a cog that holds the bot as `self.bot`: the bot's services."""

    bot: Host

    @property
    def services(self) -> Services:
        return self.bot.services


class MemberCogBase(UsesServices, commands.Cog):
    """A cog of member commands: guild only, and each command re-opens closed DMs (see `member_command`)."""

    def __init__(self, bot: Host) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await member_command(interaction)
