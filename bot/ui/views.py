"""Views a member presses: only the one they were made for may answer them."""

from __future__ import annotations

import discord

from bot import i18n
from bot.i18n import t
from bot.services import caller
from bot.ui.replies import report_error


class OwnedView(discord.ui.View):
    """A view only the user it was made for can press; errors end in `report_error`."""

    def __init__(self, owner_id: int, *, timeout: float | None = 120) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        i18n.use(interaction.locale)
        caller.use_name(interaction.user.display_name)
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(t("These buttons are not for you."), ephemeral=True)
            return False
        return True

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item) -> None:
        await report_error(interaction, error, f"button {getattr(item, 'custom_id', item)!r}")
