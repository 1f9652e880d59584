"""Web page links: `/cohort page` (a mixin of the /cohort group, bot.cogs.moderator) and `/mypage`.

Every answer is private: a link is as good as a key, so it goes only to the one who asked for it."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import Text, t
from bot.services.errors import InvalidInput
from bot.services.pages.links import PageLinks
from bot.ui import autocomplete as ac
from bot.ui.answers import Reply, answer_in_time
from bot.ui.checks import COHORT_HELP, MemberCogBase, UsesServices, authority_of, guild_of
from bot.ui.host import Host
from bot.ui.options import Name
from bot.usertext import md


def page_links(bot: Host) -> PageLinks:
    """The bot's page links, or a refusal saying pages are off on this bot and what turns them on."""
    links = bot.page_links
    if links is None:
        raise InvalidInput(
            Text(
                "This bot serves no web pages: whoever hosts it turns them on with `WEB_PORT` and `PAGE_SECRET` "
                "(see docs/deploying.md). Nothing was changed."
            )
        )
    return links


class PageCommands(UsesServices):
    """/cohort page."""

    bot: Host

    @app_commands.command(name="page", description="The cohort's web page: its link, a new link, or off")
    @app_commands.describe(
        cohort="The cohort",
        revoke="Replace the link: the old one stops working",
        off="Take the page down",
        member="A member's own page instead",
    )
    @app_commands.autocomplete(cohort=ac.all_cohorts)
    async def page(
        self,
        interaction: discord.Interaction,
        cohort: Name,
        revoke: bool = False,
        off: bool = False,
        member: discord.User | None = None,
    ) -> None:
        async def answer() -> Reply:
            links = page_links(self.bot)
            guild_id, by = guild_of(interaction), authority_of(interaction)
            if revoke and off:
                raise InvalidInput(Text("Choose `revoke` or `off`, not both. Nothing was changed."))
            if member is not None:
                if revoke or off:
                    raise InvalidInput(
                        Text(
                            "`revoke` and `off` apply to the cohort's page; a member replaces their own link "
                            "with `/mypage revoke:True`. Nothing was changed."
                        )
                    )
                own = await self.services.pages.member_link(guild_id, member.id, cohort, revoke=False, by=by)
                return Reply(
                    t(
                        "The page of {member} in **{cohort}**: <{url}>\nIt shows their progress as `/progress` "
                        "and `/stats` do. Anyone with the link can open it: keep it between you and them.",
                        member=member.mention,
                        cohort=md(own.cohort.name),
                        url=links.url(own.key),
                    )
                )
            found = await self.services.pages.cohort_link(guild_id, cohort, by, revoke=revoke, off=off)
            name = md(found.cohort.name)
            if found.key is None:
                return Reply(t("The page of **{cohort}** is off: no link to it opens it.", cohort=name))
            url = links.url(found.key)
            if found.revoked:
                return Reply(
                    t("The old link of **{cohort}**'s page stopped working. The new one: <{url}>", cohort=name, url=url)
                )
            return Reply(
                t(
                    "The page of **{cohort}**: <{url}>\nAnyone with this link can open it: the calendar, members "
                    "per stage, the leaderboards, the showcase and the topics members are on longest, naming only "
                    "members who show their progress. `/cohort page revoke:True` replaces the link, "
                    "`/cohort page off:True` takes the page down.",
                    cohort=name,
                    url=url,
                )
            )

        await answer_in_time(interaction, answer())


class MyPageCog(MemberCogBase):
    """/mypage: a member's own page."""

    @app_commands.command(name="mypage", description="A private link to your own progress page on the web")
    @app_commands.guild_only()
    @app_commands.describe(cohort=COHORT_HELP, revoke="Make your current link stop working and get a new one")
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def mypage(self, interaction: discord.Interaction, cohort: Name | None = None, revoke: bool = False) -> None:
        async def answer() -> Reply:
            links = page_links(self.bot)
            guild_id = guild_of(interaction)
            own = await self.services.pages.member_link(guild_id, interaction.user.id, cohort, revoke=revoke)
            url = links.url(own.key)
            if own.revoked:
                return Reply(t("Any older link to your page stopped working. The new one: <{url}>", url=url))
            return Reply(
                t(
                    "Your own page in **{cohort}**: <{url}>\nIt shows your progress as `/progress` and `/stats` "
                    "do. Anyone with this link can open it, so keep it to yourself; your cohort's moderators can "
                    "get it too. `/mypage revoke:True` replaces it.",
                    cohort=md(own.cohort.name),
                    url=url,
                )
            )

        await answer_in_time(interaction, answer())


async def setup(bot: Host) -> None:
    await bot.add_cog(MyPageCog(bot))
