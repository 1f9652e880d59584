"""Option values of /cohort create and edit, as the cohort service takes them."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import discord
from discord import app_commands

from bot import i18n
from bot.discord_side.access import channel_choice, room_choice
from bot.services.cohorts.settings import TOGGLES, CohortOptions
from bot.services.validation import METRICS, PACES, WEEKDAYS

WEEKDAY_CHOICES = [app_commands.Choice(name=d.capitalize(), value=d) for d in WEEKDAYS]
PACE_CHOICES = [
    app_commands.Choice(name="relaxed: the longest time budget", value="relaxed"),
    app_commands.Choice(name="standard: the midpoint", value="standard"),
    app_commands.Choice(name="intense: the shortest time budget", value="intense"),
]
assert [c.value for c in PACE_CHOICES] == list(PACES)
METRIC_CHOICES = [
    app_commands.Choice(name="topics: topics done (skips never count)", value="topics"),
    app_commands.Choice(name="minutes: minutes studied (check-ins, the study room, focus rounds)", value="minutes"),
]
assert [c.value for c in METRIC_CHOICES] == list(METRICS)
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
    "threads": "on: a public thread per topic in the cohort channel",
    "stage_roles": "on: a role for each stage a member finishes",
    "showcase": "on: members post their projects with /share",
    "events": "on: a scheduled event at each stage's start",
    "buddies": "on: members who opt in are paired each week",
    "study_time": "on: study-room time counts as study (off: stop counting)",
    "focus": "on: pomodoro focus timers with /focus start",
}
assert tuple(TOGGLE_HELP) == TOGGLES

# The settings a stage event shows or is placed by (bot.discord_side.events): an edit of any other leaves them be.
EVENT_SETTINGS = ("name", "channel", "start_date", "timezone", "nudge_time", "pace", "status", "events")
assert set(EVENT_SETTINGS) <= {f.name for f in fields(CohortOptions)}

# The settings that decide whose time in a study room counts: an edit of any of them re-reads who is there.
STUDY_SETTINGS = ("study_room", "study_time", "status")

# The channel options, which become ChannelChoice; every other CohortOptions field but these is typed text.
_CHANNELS = ("channel", "report_channel")
_TYPED = {f.name for f in fields(CohortOptions)} - {*_CHANNELS, "study_room", "moderator_role_id", "locale"}


async def cohort_options(interaction: discord.Interaction, given: dict[str, Any]) -> CohortOptions:
    """The settings among a command's arguments (`given`: its `locals()`, so that create and edit, which
    declare the options Discord shows, do not list them a second time to pass them on)."""
    role = given.get("moderator_role")
    values: dict[str, Any] = {name: given[name] for name in _TYPED if name in given}
    for option in _CHANNELS:
        if given.get(option) is not None:
            values[option] = await channel_choice(interaction, given[option])
    if given.get("study_room") is not None:
        values["study_room"] = await room_choice(interaction, given["study_room"])
    return CohortOptions(
        # The server's language for posts to the cohort's channels, refreshed by every create and edit.
        locale=i18n.language_for(interaction.guild_locale),
        moderator_role_id=role.id if role is not None else None,
        **values,
    )
