"""Option types for the slash commands: each text option declares the longest value it accepts.

Discord's client refuses a longer value before it reaches us (`max_length` in the command's
declaration); the transformer checks again, so a value sent some other way gets the same clear
answer, and refuses control characters (a NUL byte cannot even be stored in PostgreSQL).
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot import usertext
from bot.db.models import NOTE_MAX_LENGTH, PROJECT_URL_MAX
from bot.i18n import Text
from bot.services.errors import InvalidInput
from bot.services.progress.history import MAX_WEEKS
from bot.services.progress.members import MAX_CHECKIN_MINUTES
from bot.services.study.goals import MAX_GOAL_MINUTES, MAX_GOAL_TOPICS
from bot.services.study.pomodoro import BREAK_MINUTES, FOCUS_MINUTES, ROUNDS
from bot.services.validation import COHORT_NAME_MAX

# The choices of an on/off option (a modified client can still send other text: parse_on_off refuses it).
ON_OFF = [app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off", value="off")]
NAME_MAX = 100  # names and autocomplete values (cohorts, topics, stages, roadmaps): Discord's choice limit
DATE_MAX = 10  # YYYY-MM-DD
TIME_MAX = 5  # HH:MM
TIMEZONE_MAX = 64  # the longest IANA name is 32; the column holds 64
SETTING_TIME_MAX = 7  # /settings also takes the word `default`


class TextOption(app_commands.Transformer):
    """A string option of at most `max_length` characters, with no control characters."""

    def __init__(self, max_length: int) -> None:
        self.max_length = max_length

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def max_value(self) -> int:  # a string option's max_length in the declaration
        return self.max_length

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> str:
        text = str(value)
        if len(text) > self.max_length:
            raise InvalidInput(
                Text(
                    "That value is {length} characters long; this option takes at most {limit}.",
                    length=len(text),
                    limit=self.max_length,
                )
            )
        hidden = usertext.control_characters(text)
        if hidden:
            raise InvalidInput(
                Text(
                    "That value contains control characters ({chars}). Type plain text.",
                    chars=usertext.describe(hidden),
                )
            )
        return text


CHOICE_MAX = 16  # options with fixed choices: the longest choice value

Name = app_commands.Transform[str, TextOption(NAME_MAX)]
NewCohortName = app_commands.Transform[str, TextOption(COHORT_NAME_MAX)]
Date = app_commands.Transform[str, TextOption(DATE_MAX)]
Time = app_commands.Transform[str, TextOption(TIME_MAX)]
SettingTime = app_commands.Transform[str, TextOption(SETTING_TIME_MAX)]
Timezone = app_commands.Transform[str, TextOption(TIMEZONE_MAX)]
Note = app_commands.Transform[str, TextOption(NOTE_MAX_LENGTH)]
ProjectUrl = app_commands.Transform[str, TextOption(PROJECT_URL_MAX)]
Choice = app_commands.Transform[str, TextOption(CHOICE_MAX)]
Minutes = app_commands.Range[int, 1, MAX_CHECKIN_MINUTES]
GoalTopics = app_commands.Range[int, 0, MAX_GOAL_TOPICS]
GoalMinutes = app_commands.Range[int, 0, MAX_GOAL_MINUTES]
FocusMinutes = app_commands.Range[int, FOCUS_MINUTES[0], FOCUS_MINUTES[1]]
BreakMinutes = app_commands.Range[int, BREAK_MINUTES[0], BREAK_MINUTES[1]]
FocusRounds = app_commands.Range[int, ROUNDS[0], ROUNDS[1]]
StatsWeeks = app_commands.Range[int, 1, MAX_WEEKS]
