"""The buttons under a daily nudge. Their custom ids carry the membership (and topic), so they work
after a restart without any state in memory: discord.py matches them by pattern (`DynamicItem`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n, render
from bot.i18n import t
from bot.services import caller
from bot.ui.advance import advance_reply
from bot.ui.answers import Reply, answer_in_time
from bot.ui.host import Host, host
from bot.ui.replies import report_error, send_ephemeral
from bot.usertext import md

if TYPE_CHECKING:
    from bot.services.delivery.jobs import NudgeJob

PATTERN = r"nudge:(?P<action>done|checkin|stop):(?P<membership>[0-9]+)(?::(?P<topic>[a-z0-9-]+))?"


def _label(action: str) -> str:
    # A function, not a table: the label is read in the language of the nudge being built.
    return {"done": t("Done"), "checkin": t("Studied today"), "stop": t("Stop nudges")}[action]


STYLES = {
    "done": discord.ButtonStyle.success,
    "checkin": discord.ButtonStyle.primary,
    "stop": discord.ButtonStyle.secondary,
}


class NudgeButton(discord.ui.DynamicItem[discord.ui.Button], template=PATTERN):
    """One of Done / Studied today / Stop nudges, for one membership."""

    def __init__(self, action: str, membership_id: int, topic_id: str | None = None) -> None:
        custom_id = f"nudge:{action}:{membership_id}" + (f":{topic_id}" if topic_id else "")
        super().__init__(discord.ui.Button(label=_label(action), style=STYLES[action], custom_id=custom_id))
        self.action = action
        self.membership_id = membership_id
        self.topic_id = topic_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> NudgeButton:
        return cls(match["action"], int(match["membership"]), match["topic"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = host(interaction)
        i18n.use(interaction.locale)
        caller.use_name(interaction.user.display_name)
        try:
            await self._act(bot, interaction)
        except Exception as error:  # every failure ends in an answer, never "interaction failed"
            await report_error(interaction, error, f"nudge button {self.action}")

    async def _act(self, bot: Host, interaction: discord.Interaction) -> None:
        services = bot.services
        user_id = interaction.user.id
        if self.action == "done":
            if self.topic_id is None:
                raise ValueError("a Done button without a topic")
            topic_id = self.topic_id

            async def answer() -> Reply:
                result = await services.progress.done_from_nudge(
                    self.membership_id, user_id, topic_id, as_of=interaction.created_at
                )
                return Reply(await advance_reply(interaction, result))

            await answer_in_time(interaction, answer())
        elif self.action == "checkin":
            checked = await services.members.check_in_from_nudge(self.membership_id, user_id)
            await send_ephemeral(interaction, render.checkin_text(checked))
        else:
            cohort = await services.members.stop_nudges(self.membership_id, user_id)
            await send_ephemeral(
                interaction,
                t(
                    "🔕 Nudges for **{cohort}** are off. `/settings nudges:on` in the server turns them back on.",
                    cohort=md(cohort.name),
                ),
            )


def nudge_view(job: NudgeJob) -> discord.ui.View:
    """The three buttons for one nudge."""
    view = discord.ui.View(timeout=None)
    view.add_item(NudgeButton("done", job.membership_id, job.topic_id))
    view.add_item(NudgeButton("checkin", job.membership_id))
    view.add_item(NudgeButton("stop", job.membership_id))
    # A finished view is not kept in discord.py's view store: presses are matched by the
    # DynamicItem pattern instead, so 10,000 nudges a day leave nothing behind in memory.
    view.stop()
    return view
