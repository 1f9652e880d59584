"""Removing what deleted cohorts left on Discord (bot.services.cohorts.leftovers) once the bot may: each
scheduler tick looks at the short list, and asks Discord only where the bot's cache says it now has
the permission (so a server that never gives it back costs no refused request)."""

from __future__ import annotations

import discord

from bot.discord_side.deleting import deleted
from bot.discord_side.roles import role_problem
from bot.services.cohorts.leftovers import EVENT, Leftover, Leftovers

REASON = "studybot: removing what a deleted cohort left"


def _may_remove(guild: discord.Guild, leftover: Leftover) -> bool:
    permissions = guild.me.guild_permissions
    if leftover.kind == EVENT:
        return permissions.manage_events
    return permissions.manage_roles and role_problem(guild, leftover.discord_id) in (None, "unknown")


async def remove_leftovers(client: discord.Client, leftovers: Leftovers) -> int:
    """Remove every leftover of this process's servers that the bot may remove now; returns how many
    are gone. A refusal keeps it for a later tick; one already gone counts as removed."""
    gone = 0
    for leftover in await leftovers.pending():
        guild = client.get_guild(leftover.guild_id)
        if guild is None or not _may_remove(guild, leftover):
            continue
        if leftover.kind == EVENT:
            request = client.http.delete_scheduled_event(guild.id, leftover.discord_id, reason=REASON)
        else:
            request = client.http.delete_role(guild.id, leftover.discord_id, reason=REASON)
        if not await deleted(request, f"{leftover.kind} {leftover.discord_id} left by a deleted cohort"):
            continue  # kept for a later tick
        await leftovers.removed(leftover)
        gone += 1
    return gone
