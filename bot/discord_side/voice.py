"""Where members are in voice, read from discord.py's cache of Discord's voice states (the voice states
intent fills it from GUILD_CREATE and keeps it with VOICE_STATE_UPDATE)."""

from __future__ import annotations

import discord

from bot.services.study.rooms import Reconciled, StudyRooms


def counted_channel(state: discord.VoiceState | None, guild: discord.Guild) -> int | None:
    """The voice channel a member counts as present in (bot.services.study.rules): connected, neither
    self- nor server-deafened, and not in the server's AFK channel. None otherwise."""
    if state is None or state.channel is None or state.self_deaf or state.deaf:
        return None
    if guild.afk_channel is not None and state.channel.id == guild.afk_channel.id:
        return None
    return state.channel.id


def counted_for(user: discord.abc.User, guild: discord.Guild | None) -> int | None:
    """The voice channel one member counts as present in (their cached voice state), None otherwise."""
    if guild is None or not isinstance(user, discord.Member):
        return None
    return counted_channel(user.voice, guild)


def present(guild: discord.Guild) -> dict[int, int]:
    """Every member of the guild who counts as present in a voice channel now: user id -> channel id."""
    where: dict[int, int] = {}
    for channel in guild.voice_channels:
        for user_id, state in channel.voice_states.items():
            counted = counted_channel(state, guild)
            if counted is not None:
                where[user_id] = counted
    return where


async def reconcile_rooms(
    client: discord.Client, rooms: StudyRooms, guild_id: int, *, restarted: bool = False
) -> Reconciled:
    """Bring the guild's study stays in line with who is in its rooms now (a setting changed, or the
    bot (re)connected: `restarted`). A guild the bot no longer sees has nobody in its rooms."""
    guild = client.get_guild(guild_id)
    return await rooms.reconcile(guild_id, present(guild) if guild is not None else {}, restarted=restarted)


async def follow_in_voice(interaction: discord.Interaction, rooms: StudyRooms) -> None:
    """Start counting a member who is already in a study room when they become one of its cohort's."""
    guild = interaction.guild
    where = counted_for(interaction.user, guild)
    if guild is not None and where is not None:  # not in voice: nothing to count (and no query to ask)
        await rooms.moved(guild.id, interaction.user.id, where)
