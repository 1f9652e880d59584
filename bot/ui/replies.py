"""Every failure ends in an ephemeral answer: a clear message for bad input, an apology with an id otherwise."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import discord
from discord import app_commands

from bot.i18n import t
from bot.render.limits import CONTENT_MAX, clip_lines
from bot.services.errors import StudybotError
from bot.ui.answers import DEFERRED_OPEN, Reply, answer_deferral
from bot.usertext import code

log = logging.getLogger(__name__)


async def send_ephemeral(
    interaction: discord.Interaction, content: str | None = None, *, embed: discord.Embed | None = None
) -> None:
    """Answer ephemerally, as the first response or as a follow-up when one was already sent."""
    kwargs: dict[str, object] = {"ephemeral": True}
    if content:  # a message naming many things (did-you-mean lists, roadmaps) stays one Discord takes
        content = clip_lines(content, CONTENT_MAX)
    if embed is not None:
        kwargs["embed"] = embed
    deferred = interaction.extras.pop(DEFERRED_OPEN, None)
    if deferred:  # the "thinking…" of a deferral gives way to this answer, privately
        await answer_deferral(interaction, deferred, Reply(content, embed), private=True)
    elif interaction.response.is_done():
        await interaction.followup.send(content or discord.utils.MISSING, **kwargs)  # type: ignore[arg-type]
    else:
        await interaction.response.send_message(content, **kwargs)  # type: ignore[arg-type]


def user_message(error: Exception) -> str | None:
    """The message for an error the user can fix, or None for an unexpected one."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, StudybotError):
        return original.message
    if isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, StudybotError):
        return error.__cause__.message  # an option type's own check (bot.ui.options)
    if isinstance(error, app_commands.NoPrivateMessage):
        return t("This command works only in a server, not in direct messages.")
    if isinstance(error, app_commands.MissingPermissions):
        return t("You need the **Manage Server** permission for this.")
    if isinstance(error, app_commands.TransformerError):
        if error.type is discord.AppCommandOptionType.channel:
            return t(
                "I can't see that channel. Pick a text channel where I have **View Channel**, "
                "**Send Messages** and **Embed Links**."
            )
        return t("`{value}` is not a valid {type}.", value=code(str(error.value)), type=error.type.name)
    if isinstance(error, app_commands.CommandSignatureMismatch | app_commands.CommandNotFound):
        return t(
            "This command changed since Discord last loaded it. Try again in a minute.",
        )
    if isinstance(error, app_commands.CheckFailure):
        return t("You are not allowed to use this command here.")
    return None


async def report_error(interaction: discord.Interaction, error: Exception, where: str) -> None:
    """Answer the user for any failure; log the unexpected ones with an id they can quote."""
    message = user_message(error)
    if message is None:
        error_id = uuid.uuid4().hex[:8]
        original = getattr(error, "original", error)
        log.error(
            "unexpected error %s in %s (guild %s, user %s)",
            error_id,
            where,
            interaction.guild_id,
            interaction.user.id if interaction.user else None,
            exc_info=(type(original), original, original.__traceback__),
        )
        message = t(
            "Sorry, something went wrong on my side. Error id `{error_id}`: "
            "a moderator can pass it to whoever runs the bot.",
            error_id=error_id,
        )
    try:
        await send_ephemeral(interaction, message)
    except discord.HTTPException:
        log.warning("could not deliver the error message for %s", where, exc_info=True)


def install_error_handlers(
    tree: app_commands.CommandTree, record_command: Callable[[discord.Interaction, str], None]
) -> None:
    """Route every app command failure through `report_error`, and record it as refused or an error."""

    async def on_app_command_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        name = interaction.command.qualified_name if interaction.command else "unknown command"
        await report_error(interaction, error, f"/{name}")
        record_command(interaction, "refused" if user_message(error) else "error")

    tree.on_error = on_app_command_error  # type: ignore[method-assign]
