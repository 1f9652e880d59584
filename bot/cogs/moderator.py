"""Moderator commands: the /cohort group."""

from __future__ import annotations

import asyncio
import io
from datetime import date

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.cogs.moderator_breaks import BreakCommands
from bot.cogs.pages import PageCommands
from bot.db.models import Cohort
from bot.discord_side.access import BotAccess
from bot.discord_side.events import StageEvents
from bot.discord_side.voice import reconcile_rooms
from bot.i18n import t
from bot.render import cards
from bot.render.export_csv import export_file_name, to_csv
from bot.render.ics import cohort_ics
from bot.roadmap import Roadmap
from bot.services.cohorts.leftovers import EVENT
from bot.services.cohorts.links import STAGE_EVENT
from bot.services.cohorts.registry import CohortOverview, already_archived, keeps_stage_events
from bot.services.errors import NeedsConfirmation
from bot.ui import autocomplete as ac
from bot.ui.advance import stage_roles, topic_threads
from bot.ui.answers import Reply, answer_in_time
from bot.ui.checks import UsesServices, authority_of, guild_of, require_guild
from bot.ui.cohort_options import (
    EVENT_SETTINGS,
    METRIC_CHOICES,
    OPTION_HELP,
    PACE_CHOICES,
    STATUS_CHOICES,
    STUDY_SETTINGS,
    TOGGLE_HELP,
    WEEKDAY_CHOICES,
    cohort_options,
)
from bot.ui.confirm import Outcome, ask
from bot.ui.host import Host
from bot.ui.members_pager import MembersPager
from bot.ui.options import ON_OFF, Choice, Date, Name, NewCohortName, Time, Timezone
from bot.ui.replies import send_ephemeral
from bot.usertext import code, md


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ModeratorCog(
    BreakCommands,
    PageCommands,
    UsesServices,
    commands.GroupCog,
    group_name="cohort",
    group_description="Create and manage study cohorts",
):
    """Cohort administration. Discord hides the group from members without Manage Server;
    admins can change that, so every command checks again here."""

    def __init__(self, bot: Host) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return require_guild(interaction)

    def _roadmap(self, cohort: Cohort) -> Roadmap:
        return self.services.memberships.roadmap_of(cohort)

    async def _moderated(self, interaction: discord.Interaction, name: str) -> Cohort:
        """The named cohort, read by someone who moderates it (the service checks)."""
        return await self.services.cohorts.moderated(guild_of(interaction), name, authority_of(interaction))

    async def _stage_events(
        self, interaction: discord.Interaction, cohort: Cohort, overview: CohortOverview | None = None
    ) -> str:
        """Bring the cohort's scheduled events in step with its calendar; a line for the answer. The breaks
        are read only for a cohort that keeps events (`overview`: already read by the caller)."""
        paused: frozenset[date] = frozenset()
        if keeps_stage_events(cohort):
            paused = (overview or await self.services.cohorts.overview(cohort)).paused
        done = await StageEvents(interaction.client, self.services.links).sync(
            cohort, self._roadmap(cohort), paused, self.services.clock.now()
        )
        if done.problem is not None:
            return "\n" + render.events_problem(done.problem)
        if done.created or done.moved or done.removed:
            return "\n" + t(
                "📅 Scheduled events: {created} created, {moved} updated, {removed} removed.",
                created=done.created,
                moved=done.moved,
                removed=done.removed,
            )
        return ""

    async def _cohort_embed(
        self, cohort: Cohort, title: str | None = None, overview: CohortOverview | None = None
    ) -> discord.Embed:
        overview = overview or await self.services.cohorts.overview(cohort)  # loaded already: not found by name
        return render.cohort_embed(overview, self._roadmap(cohort), title)

    @app_commands.command(name="create", description="Create a study cohort")
    @app_commands.describe(
        name="A name unique in this server",
        roadmap="The roadmap the cohort follows (default: the bot's main one); it cannot change later",
        **OPTION_HELP,
    )
    @app_commands.choices(leaderboard_day=WEEKDAY_CHOICES, pace=PACE_CHOICES)
    @app_commands.autocomplete(timezone=ac.timezones, roadmap=ac.roadmaps)
    async def create(
        self,
        interaction: discord.Interaction,
        name: NewCohortName,
        channel: discord.TextChannel,
        start_date: Date,
        timezone: Timezone,
        nudge_time: Time | None = None,
        leaderboard_day: Choice | None = None,
        leaderboard_time: Time | None = None,
        pace: Choice | None = None,
        moderator_role: discord.Role | None = None,
        roadmap: Name | None = None,
    ) -> None:
        options = await cohort_options(interaction, locals())
        guild_id, by = guild_of(interaction), authority_of(interaction)

        async def apply(calendar_over_ok: bool) -> Outcome:
            cohort = await self.services.cohorts.create(guild_id, by, options, calendar_over_ok=calendar_over_ok)
            embed = await self._cohort_embed(cohort, t("Created cohort {cohort}", cohort=md(cohort.name)))
            return t("Members can now `/join cohort:{cohort}`.", cohort=code(cohort.name)), embed

        try:
            content, embed = await apply(calendar_over_ok=False)
        except NeedsConfirmation as warning:
            await ask(interaction, warning.message, t("Create anyway"), lambda _: apply(calendar_over_ok=True))
            return
        await interaction.response.send_message(content, embed=embed, ephemeral=True)

    @app_commands.command(name="edit", description="Change a cohort's settings")
    @app_commands.describe(
        cohort="The cohort to change",
        name="A new name",
        report_channel="A moderators' channel for the weekly report, posted with the leaderboard",
        status="active: reopen an archived cohort",
        study_room="A voice channel: time members spend there counts as study on their topic",
        leaderboard_metric="What the weekly leaderboard ranks by (default topics)",
        **TOGGLE_HELP,
        **OPTION_HELP,
    )
    @app_commands.choices(
        leaderboard_day=WEEKDAY_CHOICES,
        pace=PACE_CHOICES,
        status=STATUS_CHOICES,
        leaderboard_metric=METRIC_CHOICES,
        **dict.fromkeys(TOGGLE_HELP, ON_OFF),
    )
    @app_commands.autocomplete(cohort=ac.all_cohorts, timezone=ac.timezones)
    async def edit(
        self,
        interaction: discord.Interaction,
        cohort: Name,
        name: NewCohortName | None = None,
        channel: discord.TextChannel | None = None,
        start_date: Date | None = None,
        timezone: Timezone | None = None,
        nudge_time: Time | None = None,
        leaderboard_day: Choice | None = None,
        leaderboard_time: Time | None = None,
        pace: Choice | None = None,
        moderator_role: discord.Role | None = None,
        report_channel: discord.TextChannel | None = None,
        status: Choice | None = None,
        threads: Choice | None = None,
        stage_roles: Choice | None = None,
        showcase: Choice | None = None,
        events: Choice | None = None,
        buddies: Choice | None = None,
        study_room: discord.VoiceChannel | None = None,
        study_time: Choice | None = None,
        leaderboard_metric: Choice | None = None,
        focus: Choice | None = None,
    ) -> None:
        options = await cohort_options(interaction, locals())
        guild_id, by = guild_of(interaction), authority_of(interaction)

        async def apply(calendar_over_ok: bool) -> Outcome:
            updated = await self.services.cohorts.edit(
                guild_id, cohort, options, by, calendar_over_ok=calendar_over_ok, access=BotAccess(interaction)
            )
            overview = await self.services.cohorts.overview(updated)
            # Only what an event shows or when it is moves it: no request for a report channel, say.
            moves_events = any(getattr(options, field) is not None for field in EVENT_SETTINGS)
            events = await self._stage_events(interaction, updated, overview) if moves_events else ""
            if any(getattr(options, field) is not None for field in STUDY_SETTINGS):
                await reconcile_rooms(interaction.client, self.services.study_rooms, guild_id)
            embed = await self._cohort_embed(updated, t("Updated {cohort}", cohort=md(updated.name)), overview)
            return events.strip(), embed

        try:
            content, embed = await apply(calendar_over_ok=False)
        except NeedsConfirmation as warning:
            await ask(interaction, warning.message, t("Change anyway"), lambda _: apply(calendar_over_ok=True))
            return
        await interaction.response.send_message(content, embed=embed, ephemeral=True)

    @app_commands.command(name="list", description="All cohorts of this server")
    async def list_(self, interaction: discord.Interaction) -> None:
        listings = await self.services.cohorts.list(guild_of(interaction), authority_of(interaction))
        await send_ephemeral(interaction, embed=render.cohort_list_embed(listings))

    @app_commands.command(name="info", description="A cohort's settings and calendar")
    @app_commands.describe(cohort="The cohort")
    @app_commands.autocomplete(cohort=ac.all_cohorts)
    async def info(self, interaction: discord.Interaction, cohort: Name) -> None:
        found = await self._moderated(interaction, cohort)
        await send_ephemeral(interaction, embed=await self._cohort_embed(found))

    @app_commands.command(name="archive", description="Archive a cohort: no new members or progress")
    @app_commands.describe(cohort="The cohort to archive")
    @app_commands.autocomplete(cohort=ac.all_cohorts)
    async def archive(self, interaction: discord.Interaction, cohort: Name) -> None:
        found = await self._moderated(interaction, cohort)
        if found.archived:
            raise already_archived(found)
        guild_id = guild_of(interaction)

        async def on_confirm(clicked: discord.Interaction) -> Outcome:
            archived = await self.services.cohorts.archive(guild_id, found.name, authority_of(clicked))
            text = t(
                "Archived **{archived}**. Its history stays readable; it takes no new progress. "
                "`/cohort edit status:active` reopens it.",
                archived=md(archived.name),
            )
            return text + await self._stage_events(clicked, archived), None

        question = t(
            "Archive **{cohort}**? Members can no longer join or record progress, and nudges and the weekly "
            "leaderboard stop. Its history stays, and `/cohort edit status:active` reopens it.",
            cohort=md(found.name),
        )
        await ask(interaction, question, t("Archive"), on_confirm)

    @app_commands.command(name="delete", description="Delete a cohort created by mistake, with everything in it")
    @app_commands.describe(cohort="The cohort to delete")
    @app_commands.autocomplete(cohort=ac.all_cohorts)
    async def delete(self, interaction: discord.Interaction, cohort: Name) -> None:
        guild_id = guild_of(interaction)
        scope = await self.services.deletion.scope(guild_id, cohort, authority_of(interaction))

        async def on_confirm(clicked: discord.Interaction) -> Outcome:
            events = await self.services.links.known([scope.cohort_id], STAGE_EVENT)
            left = await self.services.deletion.delete(guild_id, scope, authority_of(clicked))
            events_left = await StageEvents(clicked.client, self.services.links).remove(guild_id, list(events.values()))
            await self.services.leftovers.keep(guild_id, EVENT, events_left)
            roles_left = await stage_roles(clicked).delete_made(guild_id, left.made_roles)
            await stage_roles(clicked).take_given(guild_id, left.given)
            text = t("Deleted **{cohort}**.", cohort=md(scope.cohort_name))
            return text + render.leftovers_line(len(events_left), len(roles_left)), None

        await ask(interaction, render.deletion_question(scope), t("Delete for good"), on_confirm, dangerous=True)

    @app_commands.command(name="members", description="The members of a cohort and their current topics")
    @app_commands.describe(cohort="The cohort")
    @app_commands.autocomplete(cohort=ac.all_cohorts)
    async def members(self, interaction: discord.Interaction, cohort: Name) -> None:
        async def answer() -> Reply:
            found, members = await self.services.cohorts.active_members(
                guild_of(interaction), cohort, authority_of(interaction)
            )
            pager = MembersPager(interaction.user.id, found, members, self._roadmap(found))
            return Reply(embed=pager.embed(), view=pager if pager.pages > 1 else None)

        await answer_in_time(interaction, answer())

    @app_commands.command(name="report", description="Members per stage, stuck topics, quiet members")
    @app_commands.describe(cohort="The cohort")
    @app_commands.autocomplete(cohort=ac.all_cohorts)
    async def report(self, interaction: discord.Interaction, cohort: Name) -> None:
        async def answer() -> Reply:
            found = await self._moderated(interaction, cohort)
            standing = await self.services.insight.report(found)
            embed = render.report_embed(standing)
            chart = await asyncio.to_thread(cards.stage_chart, standing)  # drawn off the event loop
            embed.set_image(url="attachment://stages.png")
            return Reply(embed=embed, file=discord.File(io.BytesIO(chart), filename="stages.png"))

        await answer_in_time(interaction, answer())

    @app_commands.command(name="export", description="Download a cohort's members, history and check-ins (CSV)")
    @app_commands.describe(cohort="The cohort")
    @app_commands.autocomplete(cohort=ac.all_cohorts)
    async def export(self, interaction: discord.Interaction, cohort: Name) -> None:
        async def answer() -> Reply:
            found = await self._moderated(interaction, cohort)
            data = await self.services.exports.export(cohort=found)
            members = data[0]["members"] if data else []
            table = await asyncio.to_thread(to_csv, data)  # a big cohort's table is built off the event loop
            file = discord.File(io.BytesIO(table.encode()), filename=export_file_name(found.name))
            return Reply(render.export_summary(found.name, members), file=file)

        await answer_in_time(interaction, answer())

    @app_commands.command(name="stage-role", description="The role a stage hands out when a member finishes it")
    @app_commands.describe(cohort="The cohort", stage="The stage", role="The role members get for finishing it")
    @app_commands.autocomplete(cohort=ac.all_cohorts, stage=ac.stages)
    async def stage_role(self, interaction: discord.Interaction, cohort: Name, stage: Name, role: discord.Role) -> None:
        guild_id, by = guild_of(interaction), authority_of(interaction)

        async def answer() -> Reply:
            found, chosen, replaced = await self.services.stage_roles.choose(
                guild_id, cohort, stage, role.id, by, BotAccess(interaction)
            )
            moved = await stage_roles(interaction).replaced(guild_id, found.id, replaced, role.id)
            text = t(
                "Members of **{cohort}** who finish **{stage}** get {role} from now on{when_off}.",
                cohort=md(found.name),
                stage=chosen.title,
                role=role.mention,
                when_off="" if found.stage_roles else t(" (once `/cohort edit stage_roles:on` turns stage roles on)"),
            )
            return Reply(text + render.replaced_role_line(replaced, moved))

        await answer_in_time(interaction, answer())

    @app_commands.command(name="calendar", description="The cohort's calendar as a file for calendar apps (.ics)")
    @app_commands.describe(cohort="The cohort")
    @app_commands.autocomplete(cohort=ac.all_cohorts)
    async def calendar(self, interaction: discord.Interaction, cohort: Name) -> None:
        async def answer() -> Reply:
            found = await self._moderated(interaction, cohort)
            overview = await self.services.cohorts.overview(found)
            data = cohort_ics(overview, self._roadmap(found), self.services.clock.now())
            file = discord.File(io.BytesIO(data), filename=export_file_name(found.name, "ics"))
            text = t(
                "The calendar of **{cohort}**: its stages, planned breaks and weekly leaderboard, for any "
                "calendar app. Importing a newer file updates the events of an older one.",
                cohort=md(found.name),
            )
            return Reply(text, file=file)

        await answer_in_time(interaction, answer())

    @app_commands.command(name="set-progress", description="Move a member to a topic")
    @app_commands.describe(cohort="The cohort", member="The member to move", topic="The topic to put them on")
    @app_commands.autocomplete(cohort=ac.all_cohorts, topic=ac.topics)
    async def set_progress(
        self, interaction: discord.Interaction, cohort: Name, member: discord.User, topic: Name
    ) -> None:
        guild_id, by = guild_of(interaction), authority_of(interaction)

        async def answer() -> Reply:
            found, ref = await self.services.progress.set_progress(guild_id, cohort, member.id, topic, by)
            thread = await topic_threads(interaction).thread_for(found, ref)
            text = t(
                "Moved {member_mention} to **{topic_title}** in **{found}**.",
                member_mention=member.mention,
                topic_title=ref.topic.title,
                found=md(found.name),
            )
            return Reply(text + render.thread_line(thread))

        await answer_in_time(interaction, answer())

    @app_commands.command(name="remove", description="Remove a member from a cohort (their history is kept)")
    @app_commands.describe(cohort="The cohort", member="The member to remove")
    @app_commands.autocomplete(cohort=ac.all_cohorts)
    async def remove(self, interaction: discord.Interaction, cohort: Name, member: discord.User) -> None:
        guild_id, by = guild_of(interaction), authority_of(interaction)

        async def answer() -> Reply:
            found = await self.services.progress.remove_member(guild_id, cohort, member.id, by)
            await stage_roles(interaction).take_back(guild_id, [found.id], member.id)
            text = t(
                "Removed {member_mention} from **{found}**. Their history is kept.",
                member_mention=member.mention,
                found=md(found.name),
            )
            return Reply(text)

        await answer_in_time(interaction, answer())


async def setup(bot: Host) -> None:
    await bot.add_cog(ModeratorCog(bot))
