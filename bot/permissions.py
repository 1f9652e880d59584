"""Reading Discord's permissions from the bot's cache, the same way wherever the bot decides who may:
what a set of permissions lacks, and whether everyone in a server can read a channel."""

from __future__ import annotations

from collections.abc import Mapping

import discord


def lacking(perms: discord.Permissions, needed: Mapping[str, str]) -> tuple[str, ...]:
    """The permissions of `needed` (Discord's name: discord.py's flag) that `perms` does not grant."""
    return tuple(name for name, flag in needed.items() if not getattr(perms, flag))


def readable_by_everyone(channel: discord.abc.GuildChannel) -> bool:
    """Whether @everyone can read the channel (its overwrites applied)."""
    return channel.permissions_for(channel.guild.default_role).view_channel
