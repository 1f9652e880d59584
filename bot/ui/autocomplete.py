"""Autocomplete callbacks shared by the cogs; each answers from the services, at most 25 choices."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.roadmap import Roadmap
from bot.services.errors import StudybotError
from bot.services.timezones import canonical_zones
from bot.services.topics import AUTOCOMPLETE_LIMIT, search_roadmaps, search_stages, search_topics
from bot.ui.host import host

Choices = list[app_commands.Choice[str]]


def _matching(names: list[str], current: str) -> Choices:
    folded = current.casefold()
    hits = [n for n in names if folded in n.casefold()]
    return [app_commands.Choice(name=n, value=n) for n in hits[:AUTOCOMPLETE_LIMIT]]


async def open_cohorts(interaction: discord.Interaction, current: str) -> Choices:
    """Cohorts of this server that take members (for /join)."""
    if interaction.guild_id is None:
        return []
    return _matching(await host(interaction).services.cohorts.names(interaction.guild_id), current)


async def my_cohorts(interaction: discord.Interaction, current: str) -> Choices:
    """Cohorts the caller is in (member commands)."""
    if interaction.guild_id is None:
        return []
    names = await host(interaction).services.cohorts.names(
        interaction.guild_id, user_id=interaction.user.id, include_archived=True
    )
    return _matching(names, current)


async def all_cohorts(interaction: discord.Interaction, current: str) -> Choices:
    """Every cohort of this server, archived ones too (moderator commands)."""
    if interaction.guild_id is None:
        return []
    names = await host(interaction).services.cohorts.names(interaction.guild_id, include_archived=True)
    return _matching(names, current)


async def _roadmap_in_view(interaction: discord.Interaction) -> Roadmap:
    """The roadmap of the `cohort` option typed so far, else the caller's (see `roadmap_view`).

    Runs on every keystroke, so it reads no progress."""
    services = host(interaction).services
    if interaction.guild_id is None:
        return services.roadmaps.default
    cohort = getattr(interaction.namespace, "cohort", None)
    try:
        roadmap = await services.progress_views.roadmap_for(interaction.guild_id, interaction.user.id, cohort or None)
    except StudybotError:  # an unknown or ambiguous cohort: the command itself will say so
        return services.roadmaps.default
    return roadmap


async def topics(interaction: discord.Interaction, current: str) -> Choices:
    """Topics of the cohort's roadmap by title; the value is the stable topic id."""
    roadmap = await _roadmap_in_view(interaction)
    return [
        app_commands.Choice(name=f"{ref.stage_index + 1}. {ref.topic.title}"[:100], value=ref.id)
        for ref in search_topics(roadmap, current)
    ]


async def stages(interaction: discord.Interaction, current: str) -> Choices:
    """Stages of the cohort's roadmap by title; the value is the stage id."""
    roadmap = await _roadmap_in_view(interaction)
    return [
        app_commands.Choice(name=f"{roadmap.stages.index(s) + 1}. {s.title}"[:100], value=s.id)
        for s in search_stages(roadmap, current)
    ]


async def roadmaps(interaction: discord.Interaction, current: str) -> Choices:
    """The roadmaps this bot offers, by title; the value is the key."""
    return [
        app_commands.Choice(name=roadmap.title[:100], value=key)
        for key, roadmap in search_roadmaps(host(interaction).services.roadmaps, current)
    ]


_TIMEZONES = canonical_zones()  # what /cohort and /settings accept (bot.services.timezones)


async def timezones(_interaction: discord.Interaction, current: str) -> Choices:
    """IANA timezone names containing what was typed."""
    folded = current.casefold().replace(" ", "_")
    return [app_commands.Choice(name=tz, value=tz) for tz in _TIMEZONES if folded in tz.casefold()][:AUTOCOMPLETE_LIMIT]


async def breaks(interaction: discord.Interaction, current: str) -> Choices:
    """The planned breaks of the `cohort` typed so far, by their days; the value is the first day."""
    cohort = getattr(interaction.namespace, "cohort", None)
    if interaction.guild_id is None or not cohort:
        return []
    try:
        found = await host(interaction).services.breaks.breaks(interaction.guild_id, cohort)
    except StudybotError:  # an unknown cohort: the command itself will say so
        return []
    choices = [
        app_commands.Choice(name=f"{start.isoformat()} → {end.isoformat()}", value=start.isoformat())
        for start, end in found
        if current.strip() in f"{start.isoformat()} → {end.isoformat()}"
    ]
    return choices[:AUTOCOMPLETE_LIMIT]
