"""Option values of /cohort create and edit, as the cohort service takes them."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import discord
from discord import app_commands

from bot import i18n
from bot.permissions import lacking, readable_by_everyone
from bot.services.cohort_settings import CALLER_DOES, TOGGLES, ChannelChoice, CohortOptions, RoleFacts
from bot.services.topic_threads import THREAD_PERMISSIONS
from bot.services.validation import PACES, WEEKDAYS
from bot.stage_roles import role_facts, role_problem

WEEKDAY_CHOICES = [app_commands.Choice(name=d.capitalize(), value=d) for d in WEEKDAYS]
PACE_CHOICES = [
    app_commands.Choice(name="relaxed: the longest time budget", value="relaxed"),
    app_commands.Choice(name="standard: the midpoint", value="standard"),
    app_commands.Choice(name="intense: the shortest time budget", value="intense"),
]
assert [c.value for c in PACE_CHOICES] == list(PACES)
STATUS_CHOICES = [app_commands.Choice(name="active: reopen an archived cohort", value="active")]

OPTION_HELP = {
    "channel": "Where the cohort's announcements and leaderboards go",
    "start_date": "First day of the cohort calendar, YYYY-MM-DD",
    "timezone": "IANA timezone of the cohort, e.g. Europe/Berlin",
    "nudge_time": "Daily nudge time, 24-hour HH:MM (default 09:00)",
    "leaderboard_day": "Weekday of the weekly leaderboard (default Monday)",
    "leaderboard_time": "Time of the weekly leaderboard, HH:MM (default 18:00)",
    "pace": "How fast the calendar runs (default standard)",
    "moderator_role": "A role that may manage this cohort besides Manage Server",
}


# The on/off settings of /cohort edit (every one of TOGGLES), with what "on" does.
TOGGLE_HELP = {
    "threads": "on: a public thread per topic in the cohort channel, linked from /topic, nudges and /done",
    "stage_roles": "on: a role for each stage a member finishes (/cohort stage-role picks one)",
    "showcase": "on: members post their projects in the cohort channel with /share",
    "events": "on: a Discord scheduled event at the start of each stage, kept in step with the calendar",
    "buddies": "on: members who opt in with /buddy on are paired each week and introduced by DM",
}
assert tuple(TOGGLE_HELP) == TOGGLES

# The settings a stage event shows or is placed by (bot.stage_events): an edit of any other leaves them be.
EVENT_SETTINGS = ("name", "channel", "start_date", "timezone", "nudge_time", "pace", "status", "events")
assert set(EVENT_SETTINGS) <= {f.name for f in fields(CohortOptions)}

# The channel options, which become ChannelChoice; every other CohortOptions field but these is typed text.
_CHANNELS = ("channel", "report_channel")
_TYPED = {f.name for f in fields(CohortOptions)} - {*_CHANNELS, "moderator_role_id", "locale"}


# What the bot needs in a cohort's channel to post there (for topic threads: bot.topic_threads).
POSTING = {"View Channel": "view_channel", "Send Messages": "send_messages", "Embed Links": "embed_links"}


async def _missing(
    interaction: discord.Interaction, channel: discord.abc.GuildChannel, needed: dict[str, str]
) -> tuple[str, ...]:
    guild, me_user = interaction.guild, interaction.client.user
    assert guild is not None and me_user is not None
    me = guild.me or await guild.fetch_member(me_user.id)
    return lacking(channel.permissions_for(me), needed)


# What the person choosing a channel for the bot's posts must be able to do there themselves.
WRITING = {"View Channel": "view_channel", "Send Messages": "send_messages"}
# What the person turning a toggle on must be able to do themselves (where: cohort_settings.CALLER_DOES).
CALLER_NEEDS: dict[str, dict[str, str]] = {
    "threads": {
        "View Channel": "view_channel",
        "Create Public Threads": "create_public_threads",
        "Send Messages in Threads": "send_messages_in_threads",
    },
    "showcase": WRITING,
    "stage_roles": {"Manage Roles": "manage_roles"},
    "events": {"Manage Events": "manage_events"},
}
assert CALLER_NEEDS.keys() == CALLER_DOES.keys()


async def channel_choice(interaction: discord.Interaction, channel: discord.TextChannel) -> ChannelChoice:
    """The channel with what the bot lacks to post there (viewing, sending, embedding links) and what the
    person choosing it lacks to write there themselves: the service refuses either, after it checked
    that the caller may make the change at all."""
    user = interaction.user
    theirs = lacking(channel.permissions_for(user), WRITING) if isinstance(user, discord.Member) else tuple(WRITING)
    public = readable_by_everyone(channel)
    return ChannelChoice(channel.id, await _missing(interaction, channel, POSTING), theirs, public)


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
        return await _missing(self._interaction, channel, THREAD_PERMISSIONS)

    def _missing_in_server(self, needed: dict[str, str]) -> tuple[str, ...]:
        guild = self._interaction.guild
        return lacking(guild.me.guild_permissions, needed) if guild is not None else tuple(needed)

    def missing_for_roles(self) -> tuple[str, ...]:
        return self._missing_in_server({"Manage Roles": "manage_roles"})

    def missing_for_events(self) -> tuple[str, ...]:
        return self._missing_in_server({"Manage Events": "manage_events"})

    def role_problem(self, role_id: int) -> str | None:
        guild = self._interaction.guild
        return "unknown" if guild is None else role_problem(guild, role_id)

    def role_facts(self, role_id: int) -> RoleFacts | None:
        guild = self._interaction.guild
        return None if guild is None else role_facts(guild, role_id)

    async def caller_lacks(self, toggle: str, channel_id: int) -> tuple[str, ...]:
        user, guild = self._interaction.user, self._interaction.guild
        needed = CALLER_NEEDS[toggle]
        if not isinstance(user, discord.Member) or guild is None:
            return tuple(needed)
        if CALLER_DOES[toggle] == "server":
            return lacking(user.guild_permissions, needed)
        channel = guild.get_channel(channel_id)
        return lacking(channel.permissions_for(user), needed) if channel is not None else ("View Channel",)


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
