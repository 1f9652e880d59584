"""What the scheduler must send now: due nudges and leaderboards, claimed in the database before sending.

A claim is a row with a unique (kind, target, period) key, committed before any HTTP call, so a
restart at any moment can never send the same nudge or leaderboard twice. A claim whose send never
finished (the process died) is marked abandoned, not retried: at most once, by design.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, literal_column, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import i18n
from bot.db.models import Cohort, Delivery, Membership
from bot.roadmap import RoadmapCatalog
from bot.services.clock import Clock
from bot.services.cohorts.insight import InsightService
from bot.services.cohorts.links import THREAD, known_in
from bot.services.cohorts.schedule import local_date, next_daily, next_weekly
from bot.services.delivery.claims import claim
from bot.services.delivery.dm_state import ClosedDms
from bot.services.delivery.jobs import DmNoticeJob, LeaderboardJob, NudgeJob, nudge_job
from bot.services.delivery.timers import member_nudge_time, member_timezone, sync_leaderboard_timer, wants_nudges
from bot.services.progress import tallies
from bot.services.progress.leaderboard import LeaderboardService, week_before
from bot.services.progress.streaks import paused_days
from bot.services.study.goals import goals_met, open_goals
from bot.services.together.buddies import BuddyJob, BuddyService
from bot.services.topics import cohort_roadmap

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)


# Members one closed-DM notice mentions: 50 mentions (~23 characters each) and the text fit in 2,000.
NOTICE_MEMBERS_MAX = 50


def _count_daily(first: datetime, until: datetime, hhmm: str, timezone: str) -> int:
    """How many daily slots fall in [first, until)."""
    count, at = 0, first
    while at < until:
        count += 1
        at = next_daily(at, hhmm, timezone)
    return count


class DeliveryService:
    """Claims and bookkeeping of scheduled sends. No Discord here: the fan-out does the sending."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        roadmaps: RoadmapCatalog,
        clock: Clock,
        leaderboards: LeaderboardService,
        closed_dms: ClosedDms,
        insight: InsightService,
        buddies: BuddyService,
        *,
        nudge_grace: timedelta,
        leaderboard_grace: timedelta,
        shards: tuple[int, list[int]] = (1, [0]),
    ) -> None:
        self._closed_dms = closed_dms
        self._insight = insight
        self._buddies = buddies
        count, ids = shards
        # Only this process's guilds: Discord's own rule for which shard a guild is on.
        # (PostgreSQL has `bigint >> integer` only: the shift is written inline, not bound as a bigint.)
        self._mine = (Cohort.guild_id.op(">>")(literal_column("22")) % count).in_(ids) if count > 1 else true()
        self._sessions = sessions
        self._roadmaps = roadmaps
        self._clock = clock
        self._leaderboards = leaderboards
        self.nudge_grace = nudge_grace
        self.leaderboard_grace = leaderboard_grace

    # --- nudges ----------------------------------------------------------------------

    async def claim_due_nudges(self, limit: int) -> tuple[list[NudgeJob], int]:
        """Take up to `limit` due timers: (the nudges claimed for sending, how many timers were taken).

        Missed nudges beyond the grace window are recorded as skipped rather than sent. Call again
        while timers were taken: a batch of only skips claims nothing but still makes progress.

        Each processed timer moves on to the member's next local nudge time in the same transaction
        as the claim, so a claim and its timer never disagree.
        """
        now = self._clock.now()
        jobs: list[NudgeJob] = []
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Membership, Cohort)
                    .join(Cohort, Cohort.id == Membership.cohort_id)
                    .where(Membership.next_nudge_at <= now, self._mine)
                    .order_by(Membership.next_nudge_at)
                    .limit(limit)
                )
            ).all()
            pauses = {cohort.id: await paused_days(session, cohort.id) for cohort in {c for _, c in rows}}
            threads = await known_in(session, {c.id for _, c in rows if c.threads}, THREAD)
            last_of_week: dict[int, tuple[Membership, Cohort, datetime]] = {}  # job index -> its member, week end
            for membership, cohort in rows:
                slot = membership.next_nudge_at
                assert slot is not None
                if not wants_nudges(membership, cohort):
                    membership.next_nudge_at = None
                    continue
                timezone = member_timezone(membership, cohort)
                period = local_date(slot, timezone).isoformat()
                nudge_time = member_nudge_time(membership, cohort)
                membership.next_nudge_at = next_daily(slot, nudge_time, timezone)
                if now - slot > self.nudge_grace:
                    # Too late to send. The whole gap is one "skipped" row (keyed by its first day), and
                    # the timer jumps to the first slot still worth sending, so a long outage costs one
                    # row per member, not one per missed day.
                    resume = next_daily(now - self.nudge_grace, nudge_time, timezone)
                    missed = _count_daily(slot, resume, nudge_time, timezone)
                    membership.next_nudge_at = resume
                    note = f"missed {missed} nudge(s) from {period} while the bot was down"
                    if await claim(session, "nudge", membership.id, period, slot, now, status="skipped", error=note):
                        log.warning("membership %s: %s (%s late)", membership.id, note, now - slot)
                    continue
                if local_date(slot, timezone) in pauses[cohort.id]:
                    continue  # a planned break, on the member's own calendar: no nudge that day, nothing to record
                delivery_id = await claim(session, "nudge", membership.id, period, slot, now)
                if delivery_id is None:
                    continue  # already claimed (a restart between claim and timer update, or another process)
                roadmap = cohort_roadmap(self._roadmaps, cohort)
                job = nudge_job(roadmap, delivery_id, membership, cohort, slot, now, pauses[cohort.id])
                thread_id = threads.get((cohort.id, job.topic_id))
                jobs.append(replace(job, thread_id=thread_id) if thread_id else job)
                week_ends = next_weekly(slot, cohort.leaderboard_weekday, cohort.leaderboard_time, cohort.timezone)
                if membership.next_nudge_at > week_ends:  # the last nudge before the week ends
                    last_of_week[len(jobs) - 1] = (membership, cohort, week_ends)
            for index, goal in (await open_goals(session, last_of_week, now)).items():
                jobs[index] = replace(jobs[index], goal=goal, week_ends_at=last_of_week[index][2])
            await session.commit()
        return jobs, len(rows)

    async def remember_dm_channel(self, membership_id: int, channel_id: int | None) -> None:
        """Cache (or forget, with None) the member's DM channel so the next nudge costs one request."""
        async with self._sessions() as session:
            await session.execute(
                update(Membership).where(Membership.id == membership_id).values(dm_channel_id=channel_id)
            )
            await session.commit()

    async def dms_closed(self, job: NudgeJob | BuddyJob) -> None:
        """Discord said 50007: stop DMing this member until they use a command, and tell the cohort once."""
        delivery_id, membership_id = job.delivery_id, job.membership_id
        now = self._clock.now()
        async with self._sessions() as session:
            await session.execute(
                update(Membership)
                .where(Membership.id == membership_id)
                .values(dm_closed_at=now, dm_notice_pending=True, next_nudge_at=None)
            )
            await self._finish(session, delivery_id, "failed", error="DMs closed (50007)")
            await session.commit()
        await self._closed_dms.add(job.guild_id, job.user_id)

    # --- finishing a delivery ----------------------------------------------------------

    async def mark_sent(self, delivery_id: int, message_id: int, attempts: int) -> None:
        async with self._sessions() as session:
            await self._finish(session, delivery_id, "sent", message_id=message_id, attempts=attempts)
            await session.commit()

    async def mark_failed(self, delivery_id: int, error: str, attempts: int) -> None:
        async with self._sessions() as session:
            await self._finish(session, delivery_id, "failed", error=error[:500], attempts=attempts)
            await session.commit()

    async def _finish(self, session: AsyncSession, delivery_id: int, status: str, **values: object) -> None:
        await session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(status=status, finished_at=self._clock.now(), **values)
        )

    async def abandon_stale_claims(self) -> int:
        """Claims left by a process that died mid-send: recorded as abandoned, never sent again."""
        cutoff = self._clock.now() - STALE_CLAIM
        async with self._sessions() as session:
            result = await session.execute(
                update(Delivery)
                .where(Delivery.status == "claimed", Delivery.claimed_at < cutoff)
                .values(status="abandoned", finished_at=self._clock.now())
            )
            await session.commit()
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if count:
            log.warning("%d delivery claim(s) from an interrupted run were abandoned (never sent twice)", count)
        return count

    # --- leaderboards ----------------------------------------------------------------

    async def next_due(self) -> datetime | None:
        """The earliest timer of this process's guilds (a daily nudge or a weekly post), for a clock that
        moves in jumps (the sandbox) and must stop at each moment something falls due."""
        async with self._sessions() as session:
            nudge = await session.scalar(
                select(func.min(Membership.next_nudge_at))
                .join(Cohort, Cohort.id == Membership.cohort_id)
                .where(self._mine)
            )
            board = await session.scalar(select(func.min(Cohort.next_leaderboard_at)).where(self._mine))
        return min((t for t in (nudge, board) if t is not None), default=None)

    async def claim_due_leaderboards(self) -> list[LeaderboardJob]:
        """Claim due weekly leaderboards (late ones within the grace window); compute each."""
        now = self._clock.now()
        claimed: list[tuple[int, Cohort, datetime, str, int | None]] = []
        async with self._sessions() as session:
            cohorts = list(await session.scalars(select(Cohort).where(Cohort.next_leaderboard_at <= now, self._mine)))
            for cohort in cohorts:
                slot = cohort.next_leaderboard_at
                assert slot is not None
                period = local_date(slot, cohort.timezone).isoformat()
                await tallies.forget_old_weeks(session, cohort, now)
                sync_leaderboard_timer(cohort, slot)
                if now - slot > self.leaderboard_grace:
                    sync_leaderboard_timer(cohort, now - self.leaderboard_grace)  # jump the gap, as for nudges
                    note = f"leaderboard for {period} missed while the bot was down"
                    if await claim(session, "leaderboard", cohort.id, period, slot, now, status="skipped", error=note):
                        log.warning("cohort %s: %s (%s late)", cohort.id, note, now - slot)
                    continue
                has_members = await session.scalar(
                    select(Membership.id).where(Membership.cohort_id == cohort.id, Membership.left_at.is_(None))
                )
                if has_members is None:
                    continue  # nobody to rank: no post
                delivery_id = await claim(session, "leaderboard", cohort.id, period, slot, now)
                if delivery_id is not None:
                    digest_id = (
                        await claim(session, "report", cohort.id, period, slot, now)
                        if cohort.report_channel_id
                        else None
                    )
                    claimed.append((delivery_id, cohort, slot, period, digest_id))
            await session.commit()
        return [
            LeaderboardJob(
                delivery_id,
                cohort.channel_id,
                await self._leaderboards.weekly(cohort, slot),
                await self._insight.report(cohort) if digest_id else None,
                digest_id,
                cohort.report_channel_id,
                i18n.language_for(cohort.locale),
                tuple(await self._buddies.pair_week(cohort, cohort_roadmap(self._roadmaps, cohort), period, slot))
                if cohort.buddies
                else (),
                await self._goals_met(cohort, slot),
            )
            for delivery_id, cohort, slot, period, digest_id in claimed
        ]

    async def _goals_met(self, cohort: Cohort, post_at: datetime) -> tuple[int, int]:
        """(members who met their goal, members with one) in the week that ends at `post_at`."""
        async with self._sessions() as session:
            return await goals_met(session, cohort, week_before(cohort, post_at), post_at)

    # --- closed-DM notices -------------------------------------------------------------

    async def claim_dm_notices(self) -> list[DmNoticeJob]:
        """One channel message per cohort per local day for members whose DMs turned out closed."""
        now = self._clock.now()
        jobs: list[DmNoticeJob] = []
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Cohort, Membership)
                    .join(Membership, Membership.cohort_id == Cohort.id)
                    .where(Membership.dm_notice_pending.is_(True), Membership.left_at.is_(None), self._mine)
                    .order_by(Cohort.id, Membership.id)
                )
            ).all()
            by_cohort: dict[int, tuple[Cohort, list[Membership]]] = {}
            for cohort, membership in rows:
                by_cohort.setdefault(cohort.id, (cohort, []))[1].append(membership)
            for cohort, waiting in by_cohort.values():
                period = local_date(now, cohort.timezone).isoformat()
                delivery_id = await claim(session, "dm-notice", cohort.id, period, now, now)
                if delivery_id is None:
                    continue  # this cohort was told today already; the rest wait for tomorrow
                # As many as one message can mention; the others stay pending for tomorrow's notice.
                members = waiting[:NOTICE_MEMBERS_MAX]
                for membership in members:
                    membership.dm_notice_pending = False
                jobs.append(
                    DmNoticeJob(
                        delivery_id,
                        cohort.channel_id,
                        cohort.name,
                        [m.user_id for m in members],
                        [m.id for m in members],
                        i18n.language_for(cohort.locale),
                    )
                )
            await session.commit()
        return jobs
