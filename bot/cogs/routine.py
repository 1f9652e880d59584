"""The daily routine: /settings, /checkin, /leaderboard."""

from __future__ import annotations

import discord
from discord import app_commands

from bot import render
from bot.i18n import t
from bot.services.progress.leaderboard import PERIODS
from bot.services.progress.members import SettingsView
from bot.services.validation import parse_on_off
from bot.ui import autocomplete as ac
from bot.ui.advance import stage_roles
from bot.ui.answers import Reply, answer_in_time
from bot.ui.checks import COHORT_HELP, MemberCogBase
from bot.ui.cohort_options import METRIC_CHOICES
from bot.ui.host import Host
from bot.ui.options import ON_OFF, Choice, GoalMinutes, GoalTopics, Minutes, Name, Note, SettingTime, Timezone
from bot.ui.replies import send_ephemeral

PERIOD_CHOICES = [app_commands.Choice(name=p, value=p) for p in PERIODS]


def _on_off(value: str | None, option: str) -> bool | None:
    return None if value is None else parse_on_off(value, option)


class RoutineCog(MemberCogBase):
    """Member preferences, check-ins and the leaderboard."""

    @app_commands.command(name="settings", description="Your nudge time, timezone and leaderboard visibility")
    @app_commands.guild_only()
    @app_commands.describe(
        cohort=COHORT_HELP,
        nudges="Daily nudges by DM",
        nudge_time="Your nudge time, 24-hour HH:MM (or `default` for the cohort's)",
        timezone="Your IANA timezone, e.g. Europe/Berlin (or `default` for the cohort's)",
        show_on_leaderboard="Whether you appear on the leaderboard",
        stage_roles="Whether a finished stage gives you its role (default: while your progress is shown)",
    )
    @app_commands.choices(nudges=ON_OFF, show_on_leaderboard=ON_OFF, stage_roles=ON_OFF)
    @app_commands.autocomplete(cohort=ac.my_cohorts, timezone=ac.timezones)
    async def settings(
        self,
        interaction: discord.Interaction,
        cohort: Name | None = None,
        nudges: Choice | None = None,
        nudge_time: SettingTime | None = None,
        timezone: Timezone | None = None,
        show_on_leaderboard: Choice | None = None,
        stage_roles: Choice | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        view = await self.services.members.settings(
            interaction.guild_id,
            interaction.user.id,
            cohort,
            nudges=_on_off(nudges, "nudges"),
            nudge_time=nudge_time,
            timezone=timezone,
            show_on_leaderboard=_on_off(show_on_leaderboard, "show_on_leaderboard"),
            stage_roles=_on_off(stage_roles, "stage_roles"),
        )

        async def answer() -> Reply:
            line = await self._stage_roles_follow(interaction, view)
            return Reply(line or None, embed=render.settings_embed(view))

        await answer_in_time(interaction, answer())

    async def _stage_roles_follow(self, interaction: discord.Interaction, view: SettingsView) -> str:
        """Stage roles follow a change of heart: taken back when the member no longer wants them (gone
        private, or said so), given for the stages they finished when they ask for them."""
        roles = stage_roles(interaction)
        if view.stage_roles_changed is False:
            await roles.take_back(view.cohort.guild_id, [view.cohort.id], interaction.user.id)
            return ""
        if view.stage_roles_changed is None or not view.finished_stages:
            return ""
        roadmap = self.services.memberships.roadmap_of(view.cohort)
        stages = [s for s in roadmap.stages if s.id in view.finished_stages]
        return render.role_line(await roles.grant(view.cohort, interaction.user, stages)).strip()

    @app_commands.command(name="checkin", description="Record that you studied today (keeps your streak)")
    @app_commands.guild_only()
    @app_commands.describe(
        minutes="How long you studied", note="What you did (up to 500 characters)", cohort=COHORT_HELP
    )
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def checkin(
        self,
        interaction: discord.Interaction,
        minutes: Minutes | None = None,
        note: Note | None = None,
        cohort: Name | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        result = await self.services.members.check_in(interaction.guild_id, interaction.user.id, cohort, minutes, note)
        await send_ephemeral(interaction, render.checkin_text(result))

    @app_commands.command(name="goal", description="Set or see your goal for this week: topics and minutes")
    @app_commands.guild_only()
    @app_commands.describe(
        topics="Topics to finish this week (0: no topics goal)",
        minutes="Minutes to study this week, check-ins and the study room (0: no minutes goal)",
        cohort=COHORT_HELP,
    )
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def goal(
        self,
        interaction: discord.Interaction,
        topics: GoalTopics | None = None,
        minutes: GoalMinutes | None = None,
        cohort: Name | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        status = await self.services.goals.goal(interaction.guild_id, interaction.user.id, cohort, topics, minutes)
        await send_ephemeral(interaction, render.goal_reply(status, changed=topics is not None or minutes is not None))

    @app_commands.command(name="leaderboard", description="Who finished the most topics, or studied the most")
    @app_commands.guild_only()
    @app_commands.describe(
        cohort="Which cohort (default: yours)",
        period="Which period (default: this week)",
        metric="Rank by topics done (default) or by minutes studied",
    )
    @app_commands.choices(period=PERIOD_CHOICES, metric=METRIC_CHOICES)
    @app_commands.autocomplete(cohort=ac.open_cohorts)
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        cohort: Name | None = None,
        period: Choice = "this-week",
        metric: Choice = "topics",
    ) -> None:
        assert interaction.guild_id is not None
        guild_id, user_id = interaction.guild_id, interaction.user.id
        boards = self.services.leaderboards

        async def answer() -> Reply:  # ranks the whole cohort: may take long on a big one
            if metric == "minutes":
                by_minutes = await boards.minutes_for_member(guild_id, user_id, cohort, period)
                title = render.board_title(by_minutes.cohort.name, by_minutes.period, t("by minutes"))
                return Reply(embed=render.minutes_board_embed(by_minutes, caller_id=user_id, title=title))
            board = await boards.for_member(guild_id, user_id, cohort, period)
            title = render.board_title(board.cohort.name, board.period)
            return Reply(embed=render.leaderboard_embed(board, caller_id=user_id, title=title))

        await answer_in_time(interaction, answer())


async def setup(bot: Host) -> None:
    await bot.add_cog(RoutineCog(bot))
