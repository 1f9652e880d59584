"""Posting a /share in the cohort's channel: the post first, then the record (so no share is kept
without its post), then the member's earlier post for the stage goes."""

from __future__ import annotations

import contextlib
import logging

import discord

from bot import i18n, render
from bot.discord_side.access import WRITING, lacking
from bot.i18n import Later, Text, permission_list, t
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.together.showcase import ShareDraft, ShowcaseService
from bot.usertext import md

log = logging.getLogger(__name__)


async def post_share(interaction: discord.Interaction, showcase: ShowcaseService, draft: ShareDraft) -> str:
    """Post the share, record it, delete the one it replaces; the member's answer."""
    channel = interaction.client.get_channel(draft.cohort.channel_id)
    if not isinstance(channel, discord.TextChannel):
        raise Conflict(
            Text(
                "I can't see the channel of **{cohort}** any more. A moderator can pick another with "
                "`/cohort edit channel:`.",
                cohort=md(draft.cohort.name),
            )
        )
    user = interaction.user
    # The bot posts for nobody where they may not post themselves (a member muted there, or timed out).
    theirs = lacking(channel.permissions_for(user), WRITING) if isinstance(user, discord.Member) else ()
    if theirs:
        raise NotAllowed(
            Text(
                "You can't post in <#{channel_id}> yourself (you lack {value} there), so I won't post your "
                "project there for you.",
                channel_id=channel.id,
                value=Later(permission_list, theirs),
            )
        )
    with i18n.using(draft.cohort.locale):  # a post in the cohort's channel: the server's language
        content = t("{member} shared a project.", member=interaction.user.mention)
        embed = render.share_embed(draft, interaction.user.display_name)
    showcase.reserve(draft, channel.id)
    try:
        posted = await channel.send(content, embed=embed, allowed_mentions=discord.AllowedMentions.none())
    except BaseException as exc:
        showcase.give_back(draft, channel.id)  # nothing was posted: it does not count against the limits
        if not isinstance(exc, discord.Forbidden):
            raise
        raise InvalidInput(
            Text(
                "I can't post in <#{channel_id}> any more, so nothing was shared. A moderator can give me "
                "**Send Messages** and **Embed Links** there.",
                channel_id=channel.id,
            )
        ) from None
    try:
        replaced = await showcase.record(draft, channel.id, posted.id)
    except BaseException:
        with contextlib.suppress(discord.HTTPException):
            await posted.delete()
        raise
    if replaced is not None:
        await delete_posts(interaction.client, [replaced])
    if replaced is None:
        return t(
            "Shared in <#{channel_id}>: your project for **{stage}**.", channel_id=channel.id, stage=draft.stage.title
        )
    return t(
        "Shared in <#{channel_id}>: your project for **{stage}**, in place of the one you shared before.",
        channel_id=channel.id,
        stage=draft.stage.title,
    )


async def delete_posts(client: discord.Client, posts: list[tuple[int, int]]) -> None:
    """Delete posts (channel id, message id) the bot made; one already gone or out of reach is logged."""
    for channel_id, message_id in posts:
        try:
            await client.http.delete_message(channel_id, message_id, reason="studybot: project share replaced")
        except discord.NotFound:
            pass
        except discord.HTTPException as exc:
            log.warning("could not delete post %s: %s", message_id, exc)
