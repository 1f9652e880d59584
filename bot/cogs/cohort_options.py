"""Option values of /cohort create and edit, checked against Discord before the service sees them."""

from __future__ import annotations

import discord

from bot import i18n
from bot.i18n import t
from bot.services.cohorts import CohortOptions
from bot.services.errors import InvalidInput, NotAllowed


async def postable_channel_id(interaction: discord.Interaction, channel: discord.TextChannel) -> int:
    """The channel's id, refused clearly unless the bot may view it, send to it and embed links there."""
    guild, me_user = interaction.guild, interaction.client.user
    assert guild is not None and me_user is not None
    me = guild.me or await guild.fetch_member(me_user.id)
    perms = channel.permissions_for(me)
    needed = {
        "View Channel": perms.view_channel,
        "Send Messages": perms.send_messages,
        "Embed Links": perms.embed_links,
    }
    missing = [name for name, ok in needed.items() if not ok]
    if missing:
        raise InvalidInput(
            t(
                "I can't post in {channel_mention}: I need {value} there. Give me those "
                "permissions in that channel, or pick another channel.",
                channel_mention=channel.mention,
                value=", ".join(f"**{m}**" for m in missing),
            )
        )
    return channel.id


async def cohort_options(
    interaction: discord.Interaction,
    channel: discord.TextChannel | None,
    moderator_role: discord.Role | None,
    **typed: str | None,
) -> CohortOptions:
    """Option values as the service takes them; a channel must be one the bot can post in, and
    only Manage Server may name a moderator role (a role's holders must not widen their own power)."""
    if moderator_role is not None:
        if not interaction.permissions.manage_guild:
            raise NotAllowed(t("Only members with **Manage Server** can set a cohort's moderator role."))
        if moderator_role.is_default():
            raise InvalidInput(
                t("@everyone cannot be a moderator role: pick a role that only the cohort's moderators have.")
            )
    return CohortOptions(
        # The server's language for posts to the cohort's channels, refreshed by every create and edit.
        locale=i18n.language_for(interaction.guild_locale),
        channel_id=await postable_channel_id(interaction, channel) if channel else None,
        moderator_role_id=moderator_role.id if moderator_role else None,
        **typed,  # type: ignore[arg-type]
    )
