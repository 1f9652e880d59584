"""Paging through a cohort's members with ◀ / ▶."""

from __future__ import annotations

import discord

from bot import render
from bot.db.models import Cohort, Membership
from bot.roadmap import Roadmap
from bot.ui.views import OwnedView


class MembersPager(OwnedView):
    """◀ / ▶ through a long member list."""

    def __init__(self, owner_id: int, cohort: Cohort, members: list[Membership], roadmap: Roadmap) -> None:
        super().__init__(owner_id, timeout=300)
        self.cohort, self.members, self.roadmap, self.page = cohort, members, roadmap, 0
        self.pages = render.member_page_count(len(members))
        self._refresh()

    def embed(self) -> discord.Embed:
        return render.members_page(self.cohort, self.roadmap, self.members, self.page)

    def _refresh(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self._refresh()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        await self._turn(interaction, 1)
