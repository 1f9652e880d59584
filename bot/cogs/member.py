"""Member slash commands: /join /leave /progress /done /skip /goto /roadmap /topic."""

from __future__ import annotations

import asyncio
import functools
import io
import logging
from collections.abc import Callable

import discord
from discord import app_commands

from bot import render
from bot.discord_side.posts import delete_posts, post_share
from bot.discord_side.voice import follow_in_voice
from bot.i18n import Text, t
from bot.render import cards
from bot.render import history as render_history
from bot.services.errors import Conflict, InvalidInput, NotFound
from bot.services.progress.history import DEFAULT_WEEKS, WeeklyStats
from bot.services.progress.views import ProgressReport
from bot.services.topics import find_stage, find_topic
from bot.ui import autocomplete as ac
from bot.ui.advance import advance_reply, stage_roles, topic_threads
from bot.ui.answers import Reply, answer_in_time
from bot.ui.checks import COHORT_HELP, MemberCogBase, authority_of, guild_of
from bot.ui.confirm import Outcome, ask
from bot.ui.host import Host
from bot.ui.options import Name, Note, ProjectUrl, StatsWeeks
from bot.ui.replies import send_ephemeral
from bot.usertext import QUOTE_MAX, md

log = logging.getLogger(__name__)


class MemberCog(MemberCogBase):
    """Commands every member uses."""

    def __init__(self, bot: Host) -> None:
        super().__init__(bot)
        # Cards being added to replies: kept so they are not collected, and so the sandbox can wait for them.
        self.drawing: set[asyncio.Task] = set()

    @app_commands.command(name="join", description="Join a study cohort in this server")
    @app_commands.guild_only()
    @app_commands.describe(cohort="The cohort to join")
    @app_commands.autocomplete(cohort=ac.open_cohorts)
    async def join(self, interaction: discord.Interaction, cohort: Name) -> None:
        async def answer() -> Reply:
            result = await self.services.progress.join(guild_of(interaction), interaction.user.id, cohort)
            await follow_in_voice(interaction, self.services.study_rooms)  # joined while in the study room
            thread = await topic_threads(interaction).thread_for(result.cohort, result.topic)
            return Reply(render.joined_text(result, thread))

        await answer_in_time(interaction, answer())

    @app_commands.command(name="leave", description="Leave a cohort (your history is kept)")
    @app_commands.guild_only()
    @app_commands.describe(cohort=COHORT_HELP)
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def leave(self, interaction: discord.Interaction, cohort: Name | None = None) -> None:
        guild_id = guild_of(interaction)
        found = await self.services.progress.resolve(guild_id, interaction.user.id, cohort)

        async def on_confirm(clicked: discord.Interaction) -> Outcome:
            left = await self.services.progress.leave(guild_id, clicked.user.id, found.name)
            text = t(
                "You left **{cohort}**. Your history is kept: `/join` brings you back where you were.",
                cohort=md(left.name),
            )
            return text, None

        await ask(
            interaction,
            t("Leave **{found}**? You stop getting nudges; your history is kept.", found=md(found.name)),
            t("Leave"),
            on_confirm,
            dangerous=True,
            cancel_label=t("Stay"),
            cancelled=t("You are still in **{cohort}**.", cohort=md(found.name)),
            unanswered=t("No answer, so you are still in **{cohort}**.", cohort=md(found.name)),
        )

    @app_commands.command(name="forget-me", description="Delete everything this bot keeps about you in this server")
    @app_commands.guild_only()
    @app_commands.describe(cohort="Only this cohort (default: every cohort in this server)")
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def forget_me(self, interaction: discord.Interaction, cohort: Name | None = None) -> None:
        # An unknown cohort, or nothing kept: say so now rather than after a confirmation.
        await self.services.exports.check_forgettable(guild_of(interaction), interaction.user.id, cohort)
        if cohort:
            question = t(
                "Delete your membership, progress history and check-ins in the cohort **{cohort}**? "
                "This cannot be undone.",
                cohort=md(cohort, QUOTE_MAX),
            )
        else:
            question = t(
                "Delete your membership, progress history and check-ins in every cohort of this server? "
                "This cannot be undone."
            )
        guild_id = guild_of(interaction)

        async def on_confirm(clicked: discord.Interaction) -> Outcome:
            forgotten = await self.services.exports.forget(guild_id, clicked.user.id, cohort)
            await stage_roles(clicked).take_back(guild_id, forgotten.cohort_ids, clicked.user.id)
            await delete_posts(clicked.client, forgotten.posts)
            text = t(
                "Deleted: your membership, history and check-ins in {cohorts}. Nothing about you is left there.",
                cohorts=", ".join(f"**{md(n)}**" for n in forgotten.names),
            )
            return text, None

        await ask(
            interaction,
            question,
            t("Delete my data"),
            on_confirm,
            dangerous=True,
            cancel_label=t("Keep"),
            cancelled=t("Nothing was deleted."),
            unanswered=t("No answer: nothing was deleted."),
        )

    @app_commands.command(name="progress", description="Where you (or another member) are on the roadmap")
    @app_commands.guild_only()
    @app_commands.describe(
        member="Whose progress to show (default: yours)",
        cohort=COHORT_HELP,
        public="Show it to the channel instead of only to you",
    )
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def progress(
        self,
        interaction: discord.Interaction,
        member: discord.User | None = None,
        cohort: Name | None = None,
        public: bool = False,
    ) -> None:
        subject = member or interaction.user
        shown: list[tuple[ProgressReport, discord.Embed]] = []

        async def answer() -> Reply:
            report = await self.services.progress_views.report(
                guild_of(interaction), subject.id, cohort, by=authority_of(interaction), name=subject.display_name
            )
            embed = render.progress_embed(report, subject.display_name)
            shown.append((report, embed))
            return Reply(embed=embed, private=report.answer_privately or not public)

        # The text answers first; the picture is drawn in a thread and added to the same message.
        await answer_in_time(interaction, answer(), ephemeral=not public)
        report, embed = shown[0]
        draw = functools.partial(cards.progress_card, report, subject.display_name)
        task = asyncio.create_task(self._add_picture(interaction, embed, draw, "progress.png"))
        self.drawing.add(task)
        task.add_done_callback(self.drawing.discard)

    async def _add_picture(
        self, interaction: discord.Interaction, embed: discord.Embed, draw: Callable[[], bytes], file_name: str
    ) -> None:
        """Draw the answer's picture in a thread and add it to the answer already sent."""
        try:
            card = await asyncio.to_thread(draw)
            embed.set_image(url=f"attachment://{file_name}")
            await interaction.edit_original_response(
                embed=embed, attachments=[discord.File(io.BytesIO(card), filename=file_name)]
            )
        except Exception:  # the member already has the text; a missing picture is not worth an error
            log.warning("could not add the picture %s", file_name, exc_info=True)

    @app_commands.command(name="stats", description="Your last weeks: topics done, minutes studied, streak")
    @app_commands.guild_only()
    @app_commands.describe(
        member="Whose weeks to show (default: yours)",
        cohort=COHORT_HELP,
        weeks=f"How many weeks back, this one included (default {DEFAULT_WEEKS})",
    )
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def stats(
        self,
        interaction: discord.Interaction,
        member: discord.User | None = None,
        cohort: Name | None = None,
        weeks: StatsWeeks = DEFAULT_WEEKS,
    ) -> None:
        subject = member or interaction.user
        shown: list[tuple[WeeklyStats, discord.Embed]] = []

        async def answer() -> Reply:
            guild_id, by, name = guild_of(interaction), authority_of(interaction), subject.display_name
            stats = await self.services.history.weekly(guild_id, subject.id, cohort, weeks, by=by, name=name)
            embed = render_history.stats_embed(stats, subject.display_name)
            shown.append((stats, embed))
            return Reply(embed=embed)

        await answer_in_time(interaction, answer())
        stats, embed = shown[0]
        labels = [render_history.week_label(stats, week) for week in stats.weeks]
        draw = functools.partial(cards.stats_card, stats, subject.display_name, labels)
        task = asyncio.create_task(self._add_picture(interaction, embed, draw, "stats.png"))
        self.drawing.add(task)
        task.add_done_callback(self.drawing.discard)

    @app_commands.command(name="done", description="Mark your current topic done and move to the next")
    @app_commands.guild_only()
    @app_commands.describe(note="What you did or learned (up to 500 characters)", cohort=COHORT_HELP)
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def done(
        self, interaction: discord.Interaction, note: Note | None = None, cohort: Name | None = None
    ) -> None:
        async def answer() -> Reply:
            result = await self.services.progress.done(
                guild_of(interaction), interaction.user.id, cohort, note, as_of=interaction.created_at
            )
            text = await advance_reply(interaction, result)
            return Reply(interaction.user.mention + " " + text, private=result.private)

        # Public on purpose: finishing a topic is news for the study group (unless the member keeps it private).
        # In a rush of /done, one waiting its turn at the database is deferred privately first: whether the
        # member keeps their progress private is known only once it is read.
        await answer_in_time(interaction, answer())

    @app_commands.command(name="skip", description="Skip your current topic (it will not count as done)")
    @app_commands.guild_only()
    @app_commands.describe(cohort=COHORT_HELP)
    @app_commands.autocomplete(cohort=ac.my_cohorts)
    async def skip(self, interaction: discord.Interaction, cohort: Name | None = None) -> None:
        async def answer() -> Reply:
            result = await self.services.progress.skip(
                guild_of(interaction), interaction.user.id, cohort, as_of=interaction.created_at
            )
            return Reply(await advance_reply(interaction, result))

        await answer_in_time(interaction, answer())

    @app_commands.command(name="goto", description="Jump to any topic of the roadmap")
    @app_commands.guild_only()
    @app_commands.describe(topic="The topic to work on now", cohort=COHORT_HELP)
    @app_commands.autocomplete(topic=ac.topics, cohort=ac.my_cohorts)
    async def goto(self, interaction: discord.Interaction, topic: Name, cohort: Name | None = None) -> None:
        async def answer() -> Reply:
            found, ref = await self.services.progress.goto(guild_of(interaction), interaction.user.id, cohort, topic)
            thread = await topic_threads(interaction).thread_for(found, ref)
            text = t(
                "{render_CURRENT_MARK} You are now on **{topic_title}** (stage {value}: "
                "{stage_title}). `/topic` says what to learn.",
                render_CURRENT_MARK=render.CURRENT_MARK,
                topic_title=ref.topic.title,
                value=ref.stage_index + 1,
                stage_title=ref.stage.title,
            )
            return Reply(text + render.thread_line(thread))

        await answer_in_time(interaction, answer())

    @app_commands.command(name="roadmap", description="The stages of the roadmap, or one stage in detail")
    @app_commands.guild_only()
    @app_commands.describe(stage="A stage to show in detail", cohort="Whose roadmap (default: your cohort's)")
    @app_commands.autocomplete(stage=ac.stages, cohort=ac.open_cohorts)
    async def roadmap(
        self, interaction: discord.Interaction, stage: Name | None = None, cohort: Name | None = None
    ) -> None:
        roadmap, done_ids, current_ids = await self.services.progress_views.roadmap_view(
            guild_of(interaction), interaction.user.id, cohort
        )
        if stage:
            embed = render.stage_embed(roadmap, find_stage(roadmap, stage), done_ids, current_ids)
        else:
            embed = render.roadmap_embed(roadmap, done_ids, current_ids)
        await send_ephemeral(interaction, embed=embed)

    @app_commands.command(name="topic", description="What to learn for a topic (default: your current one)")
    @app_commands.guild_only()
    @app_commands.describe(topic="The topic to explain", cohort="Whose roadmap (default: your cohort's)")
    @app_commands.autocomplete(topic=ac.topics, cohort=ac.open_cohorts)
    async def topic(
        self, interaction: discord.Interaction, topic: Name | None = None, cohort: Name | None = None
    ) -> None:
        if topic:
            roadmap = await self.services.progress_views.roadmap_for(guild_of(interaction), interaction.user.id, cohort)
            await send_ephemeral(interaction, embed=render.topic_embed(find_topic(roadmap, topic)))
            return
        try:
            found, current = await self.services.progress_views.current_topic(
                guild_of(interaction), interaction.user.id, cohort
            )
        except (NotFound, Conflict) as exc:
            raise InvalidInput(
                Text("{exc_message} Or give the `topic` option to look any topic up.", exc_message=exc.message)
            ) from None
        if current is None:
            raise InvalidInput(
                Text(
                    "You have finished the roadmap. Give the `topic` option to look any topic up.",
                )
            )

        async def answer() -> Reply:
            thread = await topic_threads(interaction).thread_for(found, current)
            return Reply(embed=render.topic_embed(current, thread))

        await answer_in_time(interaction, answer())

    @app_commands.command(name="share", description="Share your project for a stage in the cohort's channel")
    @app_commands.guild_only()
    @app_commands.describe(
        url="The link to your project (https://…, up to 512 characters)",
        stage="The stage it belongs to (default: your current one)",
        note="A few words about it (up to 500 characters)",
        cohort=COHORT_HELP,
    )
    @app_commands.autocomplete(stage=ac.stages, cohort=ac.my_cohorts)
    async def share(
        self,
        interaction: discord.Interaction,
        url: ProjectUrl,
        stage: Name | None = None,
        note: Note | None = None,
        cohort: Name | None = None,
    ) -> None:
        async def answer() -> Reply:
            draft = await self.services.showcase.prepare(
                guild_of(interaction), interaction.user.id, cohort, url, stage, note
            )
            return Reply(await post_share(interaction, self.services.showcase, draft))

        await answer_in_time(interaction, answer())


async def setup(bot: Host) -> None:
    await bot.add_cog(MemberCog(bot))
