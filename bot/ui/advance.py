"""The answer to /done, /skip and a nudge's Done button: what moved, the next topic's thread, and the
role of a stage just finished (each only where the cohort turned it on)."""

from __future__ import annotations

import discord

from bot import render
from bot.discord_side.roles import StageRoles
from bot.discord_side.threads import TopicThreads
from bot.services.progress.advance import AdvanceResult
from bot.ui.host import host


def topic_threads(interaction: discord.Interaction) -> TopicThreads:
    """Topic threads, opened as the bot that received the interaction."""
    return TopicThreads(interaction.client, host(interaction).services.links)


def stage_roles(interaction: discord.Interaction) -> StageRoles:
    """Stage roles, given and taken back as the bot that received the interaction."""
    services = host(interaction).services
    return StageRoles(interaction.client, services.links, services.cohorts, services.given_roles, services.leftovers)


async def advance_reply(interaction: discord.Interaction, result: AdvanceResult) -> str:
    """Open the next topic's thread and give the finished stages' roles as needed, then word it all."""
    thread = await topic_threads(interaction).thread_for(result.cohort, result.now_on)
    roles = await stage_roles(interaction).grant(
        result.cohort, interaction.user, result.stages_completed, wanted=result.wants_stage_roles
    )
    return render.advance_text(result, thread) + render.role_line(roles)
