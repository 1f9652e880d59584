"""Asking before a change that is hard to undo: one private question, two buttons, one answer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.i18n import t
from bot.ui.answers import LateDeferral
from bot.ui.views import OwnedView

log = logging.getLogger(__name__)

# What a confirmed action answers with: the new content and embed of the question's message.
Outcome = tuple[str, discord.Embed | None]


class Confirm(OwnedView):
    """A question with two buttons: do it, or change nothing. Only the moderator who asked can answer,
    only once; without an answer in two minutes nothing happens and the message says so."""

    TIMEOUT = 120.0

    def __init__(
        self,
        origin: discord.Interaction,
        confirm_label: str,
        action: Callable[[discord.Interaction], Awaitable[Outcome]],
        *,
        dangerous: bool = False,
        cancel_label: str | None = None,
        cancelled: str | None = None,
        unanswered: str | None = None,
    ) -> None:
        super().__init__(origin.user.id, timeout=self.TIMEOUT)
        self._origin, self._action, self._answered = origin, action, False
        # Built inside the interaction, so in the asker's language.
        self._cancelled = cancelled or t("Cancelled: nothing changed.")
        self._unanswered = unanswered or t("No answer within two minutes: nothing changed.")
        style = discord.ButtonStyle.danger if dangerous else discord.ButtonStyle.primary
        confirm: discord.ui.Button[Confirm] = discord.ui.Button(label=confirm_label, style=style)
        cancel: discord.ui.Button[Confirm] = discord.ui.Button(
            label=cancel_label or t("Cancel"), style=discord.ButtonStyle.secondary
        )
        confirm.callback = self._confirm  # type: ignore[method-assign]
        cancel.callback = self._cancel  # type: ignore[method-assign]
        self.add_item(confirm)
        self.add_item(cancel)

    async def _first_answer(self, interaction: discord.Interaction) -> bool:
        if self._answered:
            await interaction.response.send_message(t("This question was already answered."), ephemeral=True)
            return False
        self._answered = True
        return True

    async def _confirm(self, interaction: discord.Interaction) -> None:
        if not await self._first_answer(interaction):
            return
        # An action that calls Discord too (roles taken back, events removed) may outlast the 3 s a click
        # is given: acknowledged first when late, then the question is edited once the action is done.
        try:
            async with LateDeferral(interaction.response.defer) as late:
                content, embed = await self._action(interaction)
        except Exception:
            self._answered = False  # the error is answered by on_error; the question stands
            raise
        self.stop()
        if late.deferred:
            await interaction.edit_original_response(content=content, embed=embed, view=None)
        else:
            await interaction.response.edit_message(content=content, embed=embed, view=None)

    async def _cancel(self, interaction: discord.Interaction) -> None:
        if not await self._first_answer(interaction):
            return
        self.stop()
        await interaction.response.edit_message(content=self._cancelled, embed=None, view=None)

    async def on_timeout(self) -> None:
        if self._answered:
            return
        try:
            await self._origin.edit_original_response(content=self._unanswered, embed=None, view=None)
        except discord.HTTPException:  # the interaction token expired or the message is gone
            log.debug("could not close an unanswered question", exc_info=True)


async def ask(
    interaction: discord.Interaction,
    question: str,
    confirm_label: str,
    action: Callable[[discord.Interaction], Awaitable[Outcome]],
    **wording: Any,
) -> None:
    """Answer `interaction` privately with `question` and its two buttons (`wording`: Confirm's options)."""
    view = Confirm(interaction, confirm_label, action, **wording)
    await interaction.response.send_message(question, view=view, ephemeral=True)
