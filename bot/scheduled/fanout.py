"""Sending what the scheduler claimed: bounded concurrency (paced under the bot's global limit by
bot.process.pacing, as every request is), retries for transient failures, and no database transaction open
across an HTTP call."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import aiohttp
import discord

from bot import i18n, logs, render
from bot.discord_side.access import readable_by_everyone
from bot.discord_side.leftovers import remove_leftovers
from bot.i18n import t
from bot.metrics import Metrics
from bot.render import cards
from bot.scheduled.focus_bells import FocusBells
from bot.services.container import Services
from bot.services.delivery.jobs import DmNoticeJob, LeaderboardJob, NudgeJob
from bot.services.study.board import MinutesBoard
from bot.services.together.buddies import BuddyJob
from bot.ui.nudge import nudge_view
from bot.usertext import md

log = logging.getLogger(__name__)

T = TypeVar("T")
DMS_CLOSED = 50007
UNKNOWN_CHANNEL = 10003
MAX_ATTEMPTS = 3
SEND_TIMEOUT = 20.0
# What became of a DM.
SENT, CLOSED, FAILED = "sent", "dms_closed", "failed"


@dataclass
class FanoutReport:
    sent: int = 0
    failed: int = 0
    closed_dms: int = 0
    leaderboards: int = 0
    notices: int = 0
    buddies: int = 0  # study-buddy DMs sent
    buddies_closed: int = 0  # study-buddy DMs that found the member's DMs closed
    leftovers: int = 0  # objects deleted cohorts had left on Discord, removed now (bot.discord_side.leftovers)
    bells: int = 0  # focus timers' bells announced (bot.scheduled.focus_bells)
    errors: list[str] = field(default_factory=list)
    max_lag_seconds: float = 0.0  # how late the most overdue nudge of the run went out


class Fanout:
    """Delivers due nudges, leaderboards (with the week's buddy DMs) and closed-DM notices through
    discord.py's REST client."""

    def __init__(
        self,
        client: discord.Client,
        services: Services,
        *,
        concurrency: int,
        retry_base_seconds: float = 1.0,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics or Metrics()
        self._client = client
        self._services = services
        self._concurrency = concurrency
        self._retry_base = retry_base_seconds
        self._running = asyncio.Lock()
        self._stopping = False
        self.bells = FocusBells(client, services, self._retrying)

    def request_stop(self) -> None:
        """Finish what is claimed, claim nothing more: what is still due waits for the next start."""
        self._stopping = True

    async def run_once(self) -> FanoutReport:
        """Send everything due now. One run at a time; a tick that finds one running waits for it."""
        async with self._running:
            report = FanoutReport()
            await self._nudges(report)
            if not self._stopping:
                for notice in await self._services.deliveries.claim_dm_notices():
                    await self._post_notice(notice, report)
                    report.notices += 1
            if not self._stopping:
                for board in await self._services.deliveries.claim_due_leaderboards():
                    await self._post_leaderboard(board, report)
                    report.leaderboards += 1
            if not self._stopping:
                report.leftovers = await remove_leftovers(self._client, self._services.leftovers)
            if not self._stopping:
                report.bells = await self.bells.ring()
            await self._services.study_rooms.keep_alive()
            m = self._metrics
            m.scheduler_ticks.inc()
            m.nudges.labels("sent").inc(report.sent)
            m.nudges.labels("dms_closed").inc(report.closed_dms)
            m.nudges.labels("failed").inc(report.failed)
            m.leaderboards.labels("posted").inc(report.leaderboards)
            m.buddy_dms.labels(SENT).inc(report.buddies)
            m.buddy_dms.labels(CLOSED).inc(report.buddies_closed)
            m.scheduler_lag.set(report.max_lag_seconds)
            if report.sent or report.failed or report.buddies:
                log.info(
                    "fan-out: %d sent, %d failed, %d closed DMs, %d leaderboards, %d buddy DMs",
                    report.sent,
                    report.failed,
                    report.closed_dms,
                    report.leaderboards,
                    report.buddies,
                )
            return report

    async def wait_idle(self) -> None:
        """Return once no run is in progress."""
        async with self._running:
            return

    async def _nudges(self, report: FanoutReport) -> None:
        # Claim in small batches and send one batch at a time, claiming the next one meanwhile:
        # a crash can leave at most these two batches claimed-but-unsent (never sent twice).
        batch = self._concurrency * 2
        limit = asyncio.Semaphore(self._concurrency)

        async def send(job: NudgeJob) -> None:
            async with limit:
                await self._send_nudge(job, report)

        claim = self._services.deliveries.claim_due_nudges
        upcoming: asyncio.Future[tuple[list[NudgeJob], int]] | None = asyncio.ensure_future(claim(batch))
        try:
            while upcoming is not None:
                jobs, taken = await upcoming
                if taken == 0:
                    return
                # Stopping: this batch (claimed) is sent, nothing more is claimed; the rest stays due.
                upcoming = None if self._stopping else asyncio.ensure_future(claim(batch))
                await asyncio.gather(*(send(job) for job in jobs))
        finally:
            if upcoming is not None and not upcoming.done():
                # Cancelled mid-run: let the claim land (its nudges stay claimed, never sent twice).
                await asyncio.shield(upcoming)

    async def _send_nudge(self, job: NudgeJob, report: FanoutReport) -> None:
        logs.bind(guild=job.guild_id, cohort=job.cohort_name, command="nudge")
        i18n.use(job.language)  # each send runs in a task of its own
        message = {"embed": render.nudge_embed(job), "view": nudge_view(job)}
        outcome = await self._send_dm(job, message, report, "nudge")
        if outcome == SENT:
            report.sent += 1
            lag = (self._services.clock.now() - job.scheduled_for).total_seconds()
            report.max_lag_seconds = max(report.max_lag_seconds, lag)
        elif outcome == CLOSED:
            report.closed_dms += 1

    async def _send_buddy(self, job: BuddyJob, report: FanoutReport) -> None:
        logs.bind(guild=job.guild_id, cohort=job.cohort_name, command="buddy")
        i18n.use(job.language)
        message = {"embed": render.buddy_embed(job), "allowed_mentions": discord.AllowedMentions.none()}
        outcome = await self._send_dm(job, message, report, "buddy DM")
        if outcome == SENT:
            report.buddies += 1
        elif outcome == CLOSED:
            report.buddies_closed += 1

    async def _send_dm(self, job: NudgeJob | BuddyJob, message: dict, report: FanoutReport, what: str) -> str:
        """DM the member (their cached DM channel, else a new one); closed DMs and failures are recorded.
        Returns SENT, CLOSED or FAILED."""
        deliveries = self._services.deliveries
        try:
            channel_id = job.dm_channel_id or await self._open_dm(job)
            try:
                sent, attempts = await self._retrying(lambda: self._dm(channel_id, message))
            except discord.NotFound as error:
                if error.code != UNKNOWN_CHANNEL or job.dm_channel_id is None:
                    raise
                # The cached DM channel is gone: forget it and open a new one, once.
                await deliveries.remember_dm_channel(job.membership_id, None)
                channel_id = await self._open_dm(job)
                sent, attempts = await self._retrying(lambda: self._dm(channel_id, message))
        except discord.Forbidden as error:
            if error.code != DMS_CLOSED:
                await self._failed(job.delivery_id, error, report, f"{what} to user {job.user_id}")
                return FAILED
            await deliveries.dms_closed(job)
            return CLOSED
        except Exception as error:
            await self._failed(job.delivery_id, error, report, f"{what} to user {job.user_id}")
            return FAILED
        await deliveries.mark_sent(job.delivery_id, sent.id, attempts)
        return SENT

    async def _open_dm(self, job: NudgeJob | BuddyJob) -> int:
        data, _ = await self._retrying(lambda: self._client.http.start_private_message(job.user_id))
        channel_id = int(data["id"])
        await self._services.deliveries.remember_dm_channel(job.membership_id, channel_id)
        return channel_id

    def _dm(self, channel_id: int, message: dict) -> Awaitable[discord.Message]:
        channel = self._client.get_partial_messageable(channel_id, type=discord.ChannelType.private)
        return channel.send(**message)

    async def _post_leaderboard(self, job: LeaderboardJob, report: FanoutReport) -> None:
        with i18n.using(job.language):
            await self._post_leaderboard_in_language(job, report)
        if job.buddies:
            limit = asyncio.Semaphore(self._concurrency)

            async def send(buddy: BuddyJob) -> None:
                async with limit:
                    await self._send_buddy(buddy, report)

            await asyncio.gather(*(send(buddy) for buddy in job.buddies))

    async def _post_leaderboard_in_language(self, job: LeaderboardJob, report: FanoutReport) -> None:
        name = job.leaderboard.cohort.name
        title = t("Weekly leaderboard · {cohort}", cohort=md(name))
        if isinstance(job.leaderboard, MinutesBoard):
            embed = render.minutes_board_embed(job.leaderboard, caller_id=None, title=title + " · " + t("by minutes"))
        else:
            embed = render.leaderboard_embed(job.leaderboard, title=title)
        if job.goals[1]:
            embed.add_field(name=t("🎯 Weekly goals"), value=render.goals_line(*job.goals), inline=False)
        names = await self._display_names(job.leaderboard.cohort.guild_id, [e.user_id for e in job.leaderboard.top])
        # A picture has no markdown: the name as typed.
        card_title = t("Weekly leaderboard · {cohort}", cohort=name)
        card = await asyncio.to_thread(cards.leaderboard_card, job.leaderboard, names, card_title)
        embed.set_image(url="attachment://leaderboard.png")
        # Mentions inside an embed never ping; the leaderboard is news, not an alarm.
        await self._post(
            job.delivery_id,
            job.channel_id,
            report,
            "leaderboard",
            ("leaderboard.png", card),
            embed=embed,
        )
        if job.digest is not None and job.digest_delivery_id is not None and job.report_channel_id is not None:
            title = t("Weekly report · {cohort}", cohort=md(job.digest.cohort.name))
            await self._post(
                job.digest_delivery_id,
                job.report_channel_id,
                report,
                "weekly report",
                embed=render.report_embed(
                    job.digest, title=title, names=self._readable_by_moderators_only(job.report_channel_id)
                ),
            )

    def _readable_by_moderators_only(self, channel_id: int) -> bool:
        """Whether @everyone cannot read the channel (as the bot's cache says; unknown counts as readable):
        the report names members only there, since a channel can be opened after it was chosen."""
        channel = self._client.get_channel(channel_id)
        return isinstance(channel, discord.abc.GuildChannel) and not readable_by_everyone(channel)

    async def _display_names(self, guild_id: int, user_ids: list[int]) -> dict[int, str]:
        """Names for the card (the bot keeps no member cache): one request each, best effort."""
        guild = self._client.get_guild(guild_id)
        names: dict[int, str] = {}
        for user_id in user_ids:
            try:
                member = await guild.fetch_member(user_id) if guild else await self._client.fetch_user(user_id)
                names[user_id] = member.display_name
            except discord.HTTPException:
                names[user_id] = t("member")
        return names

    async def _post_notice(self, job: DmNoticeJob, report: FanoutReport) -> None:
        with i18n.using(job.language):
            content, pinged = render.dm_notice(job)
        await self._post(
            job.delivery_id,
            job.channel_id,
            report,
            "closed-DM notice",
            content=content,
            # Exactly the members the notice is for: nothing else in the text may ping.
            allowed_mentions=discord.AllowedMentions(users=[discord.Object(uid) for uid in pinged]),
        )

    async def _post(
        self,
        delivery_id: int,
        channel_id: int,
        report: FanoutReport,
        what: str,
        attachment: tuple[str, bytes] | None = None,
        **send: object,
    ) -> None:
        channel = self._client.get_partial_messageable(channel_id)

        def attempt() -> Awaitable[discord.Message]:
            # A fresh File per attempt: discord.py closes the file once a request is done.
            files = {"file": discord.File(io.BytesIO(attachment[1]), filename=attachment[0])} if attachment else {}
            return channel.send(**send, **files)  # type: ignore[arg-type]

        try:
            message, attempts = await self._retrying(attempt)
        except Exception as error:
            await self._failed(delivery_id, error, report, f"{what} in channel {channel_id}")
        else:
            await self._services.deliveries.mark_sent(delivery_id, message.id, attempts)

    async def _failed(self, delivery_id: int, error: Exception, report: FanoutReport, what: str) -> None:
        attempts = getattr(error, "attempts", 1)
        report.failed += 1
        report.errors.append(f"{what}: {error}")
        log.warning("%s failed after %d attempt(s): %s", what, attempts, error)
        await self._services.deliveries.mark_failed(delivery_id, f"{type(error).__name__}: {error}", attempts)

    async def _retrying(self, make_call: Callable[[], Awaitable[T]]) -> tuple[T, int]:
        """Run a request up to MAX_ATTEMPTS times while it fails transiently (5xx, timeout,
        connection error), backing off 1x, 2x, 4x the base. Returns (result, attempts)."""
        attempts = 0
        while True:
            attempts += 1
            try:
                return await asyncio.wait_for(make_call(), SEND_TIMEOUT), attempts
            except (discord.DiscordServerError, TimeoutError, aiohttp.ClientError, OSError) as error:
                if attempts >= MAX_ATTEMPTS:
                    error.attempts = attempts  # type: ignore[union-attr]
                    raise
                delay = self._retry_base * 2 ** (attempts - 1)
                log.info("transient failure (%s); attempt %d of %d in %.1fs", error, attempts + 1, MAX_ATTEMPTS, delay)
                await asyncio.sleep(delay)
