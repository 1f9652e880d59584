"""Who may: what the bot and the person asking may do on Discord, read from the bot's cache the same way
wherever the bot decides (what a set of permissions lacks, whether everyone can read a channel, what a
setting needs of the bot and of whoever turns it on)."""

from __future__ import annotations

from collections.abc import Mapping

import discord

from bot.discord_side.roles import role_facts, role_problem
from bot.services.cohorts.settings import CALLER_DOES, ChannelChoice, RoleFacts, RoomChoice


def lacking(perms: discord.Permissions, needed: Mapping[str, str]) -> tuple[str, ...]:
    """The permissions of `needed` (Discord's name: discord.py's flag) that `perms` does not grant."""
    return tuple(name for name, flag in needed.items() if not getattr(perms, flag))


def readable_by_everyone(channel: discord.abc.GuildChannel) -> bool:
    """Whether @everyone can read the channel (its overwrites applied)."""
    return channel.permissions_for(channel.guild.default_role).view_channel


# What the bot needs in a cohort's channel for topic threads, as Discord names it and as discord.py does.
THREAD_PERMISSIONS = {
    "View Channel": "view_channel",
    "Create Public Threads": "create_public_threads",
    "Send Messages in Threads": "send_messages_in_threads",
}

# What the bot needs in a cohort's channel to post there.
POSTING = {"View Channel": "view_channel", "Send Messages": "send_messages", "Embed Links": "embed_links"}
# What stage roles and stage events take in the server, of the bot and of whoever turns them on.
MANAGE_ROLES = {"Manage Roles": "manage_roles"}
MANAGE_EVENTS = {"Manage Events": "manage_events"}


async def bot_lacks(
    interaction: discord.Interaction, channel: discord.abc.GuildChannel, needed: dict[str, str]
) -> tuple[str, ...]:
    guild, me_user = interaction.guild, interaction.client.user
    assert guild is not None and me_user is not None
    me = guild.me or await guild.fetch_member(me_user.id)
    return lacking(channel.permissions_for(me), needed)


# What the person choosing a channel for the bot's posts must be able to do there themselves (and what
# the bot needs to post plain text: a focus timer's bells in a voice channel's chat).
WRITING = {"View Channel": "view_channel", "Send Messages": "send_messages"}
# What the person turning a toggle on must be able to do themselves (where: cohort_settings.CALLER_DOES).
CALLER_NEEDS: dict[str, dict[str, str]] = {
    "threads": THREAD_PERMISSIONS,
    "showcase": WRITING,
    "stage_roles": MANAGE_ROLES,
    "events": MANAGE_EVENTS,
}
assert CALLER_NEEDS.keys() == CALLER_DOES.keys()


async def channel_choice(interaction: discord.Interaction, channel: discord.TextChannel) -> ChannelChoice:
    """The channel with what the bot lacks to post there (viewing, sending, embedding links) and what the
    person choosing it lacks to write there themselves: the service refuses either, after it checked
    that the caller may make the change at all."""
    user = interaction.user
    theirs = lacking(channel.permissions_for(user), WRITING) if isinstance(user, discord.Member) else tuple(WRITING)
    public = readable_by_everyone(channel)
    return ChannelChoice(channel.id, await bot_lacks(interaction, channel, POSTING), theirs, public)


# What the bot and the person picking a study room need there: to see it (who is in a room nobody may
# see is nobody's to learn, the bot's included).
SEEING = {"View Channel": "view_channel"}


async def room_choice(interaction: discord.Interaction, channel: discord.abc.GuildChannel) -> RoomChoice:
    """The voice channel as a study room: the AFK channel or not, what the bot and the person asking lack there."""
    user, guild = interaction.user, channel.guild
    theirs = lacking(channel.permissions_for(user), SEEING) if isinstance(user, discord.Member) else tuple(SEEING)
    afk = guild.afk_channel is not None and guild.afk_channel.id == channel.id
    return RoomChoice(
        channel.id, afk=afk, missing=await bot_lacks(interaction, channel, SEEING), invoker_missing=theirs
    )


class BotAccess:
    """What the bot may do in the server, as its cache of Discord's permissions says (ServerAccess: the
    services ask when a setting needs it)."""

    def __init__(self, interaction: discord.Interaction) -> None:
        self._interaction = interaction

    async def missing_for_threads(self, channel_id: int) -> tuple[str, ...]:
        guild = self._interaction.guild
        channel = guild.get_channel(channel_id) if guild is not None else None
        if channel is None:
            return ("View Channel",)
        return await bot_lacks(self._interaction, channel, THREAD_PERMISSIONS)

    def _missing_in_server(self, needed: dict[str, str]) -> tuple[str, ...]:
        guild = self._interaction.guild
        return lacking(guild.me.guild_permissions, needed) if guild is not None else tuple(needed)

    def missing_for_roles(self) -> tuple[str, ...]:
        return self._missing_in_server(MANAGE_ROLES)

    def missing_for_events(self) -> tuple[str, ...]:
        return self._missing_in_server(MANAGE_EVENTS)

    def role_problem(self, role_id: int) -> str | None:
        guild = self._interaction.guild
        return "unknown" if guild is None else role_problem(guild, role_id)

    def role_facts(self, role_id: int) -> RoleFacts | None:
        guild = self._interaction.guild
        return None if guild is None else role_facts(guild, role_id)

    async def study_room(self, channel_id: int) -> RoomChoice | None:
        guild = self._interaction.guild
        channel = guild.get_channel(channel_id) if guild is not None else None
        if not isinstance(channel, discord.VoiceChannel):
            return None
        return await room_choice(self._interaction, channel)

    async def caller_lacks(self, toggle: str, channel_id: int) -> tuple[str, ...]:
        user, guild = self._interaction.user, self._interaction.guild
        needed = CALLER_NEEDS[toggle]
        if not isinstance(user, discord.Member) or guild is None:
            return tuple(needed)
        if CALLER_DOES[toggle] == "server":
            return lacking(user.guild_permissions, needed)
        channel = guild.get_channel(channel_id)
        return lacking(channel.permissions_for(user), needed) if channel is not None else ("View Channel",)
