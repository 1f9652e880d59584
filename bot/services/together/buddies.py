"""Study buddies (`/cohort edit buddies:on`): members opt in with `/buddy on`; each week at the cohort's
leaderboard time they are grouped (bot.services.together.pairing) and each gets one DM introducing the
others and where everyone stands (bot.scheduled.fanout sends it). Members who left, or whose DMs are known to be
closed, are left out of the week's pairing."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import combinations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import i18n
from bot.db.models import BuddyMatch, Cohort, Membership
from bot.i18n import Text
from bot.roadmap import Roadmap
from bot.services import caller
from bot.services.clock import Clock
from bot.services.cohorts.links import THREAD, known_in
from bot.services.cohorts.schedule import local_date
from bot.services.delivery.claims import claim
from bot.services.errors import Conflict
from bot.services.progress.advance import ensure_open, topic_or_first
from bot.services.progress.memberships import Memberships
from bot.services.together.pairing import Candidate, pair_members
from bot.usertext import md

# Who was grouped with whom this long before a pairing counts as a repeat: the last four pairings.
RECENT = timedelta(days=28)
# How long a week's group is "this week's" in /buddy show.
CURRENT = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a member stands on the roadmap, as a buddy message shows it."""

    user_id: int
    stage_number: int | None  # None: finished the roadmap
    stage_title: str
    topic_title: str | None
    thread_id: int | None = None  # the topic's thread, when the cohort has topic threads and it exists
    private: bool = False  # shown to others: the member hides their progress, so nothing of it is here


@dataclass(frozen=True, slots=True)
class BuddyJob:
    """One buddy DM to send: the member, their group, and where each of them stands."""

    delivery_id: int
    membership_id: int
    user_id: int
    guild_id: int
    cohort_name: str
    dm_channel_id: int | None
    me: Standing
    mates: tuple[Standing, ...]
    language: str = i18n.ENGLISH  # the member's, else the server's


@dataclass(frozen=True, slots=True)
class BuddyStatus:
    """A member's study-buddy state in one cohort, for /buddy on, off and show."""

    cohort: Cohort
    opted_in: bool
    changed: bool  # this command turned it on or off
    next_pairing: datetime | None  # None: the cohort is archived (no weekly time)
    me: Standing
    mates: tuple[Standing, ...] = ()  # this week's group, if the member is in one
    paired_on: str | None = None  # the local date of that pairing
    opted_in_count: int = 0  # active members of the cohort who opted in (the member among them)


def standing(
    roadmap: Roadmap, membership: Membership, threads: dict[tuple[int, str], int], *, to_others: bool = False
) -> Standing:
    """Where `membership` stands (a topic the roadmap lost counts as its first; None: finished). Shown
    `to_others` (their buddies), a member who hides their progress shows none of it, as in /progress."""
    if to_others and not membership.show_on_leaderboard:
        return Standing(membership.user_id, None, "", None, private=True)
    ref = topic_or_first(roadmap, membership.current_topic_id)
    if ref is None:
        return Standing(membership.user_id, None, roadmap.stages[-1].title, None)
    return Standing(
        membership.user_id,
        ref.stage_index + 1,
        ref.stage.title,
        ref.topic.title,
        threads.get((membership.cohort_id, ref.id)),
    )


def _candidate(roadmap: Roadmap, membership: Membership) -> Candidate:
    ref = topic_or_first(roadmap, membership.current_topic_id)
    if ref is None:  # finished: past the last stage
        return Candidate(membership.id, len(roadmap.stages), len(roadmap.topics))
    return Candidate(membership.id, ref.stage_index, ref.index)


def _pairs(rows: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """Every pair of members who were in one group, from (period, group, membership) rows."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for period, group_no, membership_id in rows:
        groups[(period, group_no)].append(membership_id)
    return [pair for members in groups.values() for pair in combinations(sorted(members), 2)]


class BuddyService:
    """The opt-in, the weekly pairing and what /buddy show tells."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], memberships: Memberships, clock: Clock) -> None:
        self._sessions = sessions
        self._memberships = memberships
        self._clock = clock

    async def opt(self, guild_id: int, user_id: int, cohort_name: str | None, wanted: bool) -> BuddyStatus:
        """`/buddy on` or `off`: the member's choice, refused while the cohort has buddies off (turning it
        off is always allowed) or, for `on`, is archived. Unchanged when it already was so."""
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            if wanted:
                ensure_open(cohort)
                self._require_on(cohort)
            changed = membership.buddy_opt_in != wanted
            membership.buddy_opt_in = wanted
            caller.remember(session, membership)
            status = await self._status(session, cohort, membership, changed)
            await session.commit()
        return status

    async def show(self, guild_id: int, user_id: int, cohort_name: str | None) -> BuddyStatus:
        """`/buddy show`: opted in or not, this week's group and where everyone in it stands."""
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            caller.remember(session, membership)
            status = await self._status(session, cohort, membership, changed=False)
            await caller.commit_noted(session)
        return status

    @staticmethod
    def _require_on(cohort: Cohort) -> None:
        if not cohort.buddies:
            raise Conflict(
                Text(
                    "Study buddies are off in **{cohort}**. A moderator can turn them on with "
                    "`/cohort edit cohort:{cohort} buddies:on`.",
                    cohort=md(cohort.name),
                )
            )

    async def _status(
        self, session: AsyncSession, cohort: Cohort, membership: Membership, changed: bool
    ) -> BuddyStatus:
        roadmap = self._memberships.roadmap_of(cohort)
        threads = await known_in(session, {cohort.id} if cohort.threads else set(), THREAD)
        me = standing(roadmap, membership, threads)
        latest = await session.scalar(
            select(func.max(BuddyMatch.period)).where(BuddyMatch.membership_id == membership.id)
        )
        mates: tuple[Standing, ...] = ()
        today = local_date(self._clock.now(), cohort.timezone)
        if latest is not None and date.fromisoformat(latest) > today - CURRENT:
            group_no = await session.scalar(
                select(BuddyMatch.group_no).where(
                    BuddyMatch.membership_id == membership.id, BuddyMatch.period == latest
                )
            )
            others = await session.scalars(
                select(Membership)
                .join(BuddyMatch, BuddyMatch.membership_id == Membership.id)
                .where(
                    BuddyMatch.cohort_id == cohort.id,
                    BuddyMatch.period == latest,
                    BuddyMatch.group_no == group_no,
                    Membership.id != membership.id,
                    # A buddy who left or opted out since is no longer shown (nor anything about them).
                    Membership.left_at.is_(None),
                    Membership.buddy_opt_in.is_(True),
                )
                .order_by(Membership.id)
            )
            mates = tuple(standing(roadmap, other, threads, to_others=True) for other in others)
        await session.flush()  # the member's own choice counts
        opted_in = await session.scalar(
            select(func.count()).where(
                Membership.cohort_id == cohort.id, Membership.left_at.is_(None), Membership.buddy_opt_in.is_(True)
            )
        )
        return BuddyStatus(
            cohort,
            membership.buddy_opt_in,
            changed,
            cohort.next_leaderboard_at,
            me,
            mates,
            latest if mates else None,
            int(opted_in or 0),
        )

    async def pair_week(self, cohort: Cohort, roadmap: Roadmap, period: str, slot: datetime) -> list[BuddyJob]:
        """The week's pairing of `cohort` (its leaderboard of `period` was just claimed): the groups are
        recorded and each member's DM claimed in one transaction, once per week whatever the processes.
        The grouping itself is computed before, outside any write transaction."""
        now = self._clock.now()
        async with self._sessions() as session:
            members = list(
                await session.scalars(
                    select(Membership)
                    .where(
                        Membership.cohort_id == cohort.id,
                        Membership.left_at.is_(None),
                        Membership.buddy_opt_in.is_(True),
                        Membership.dm_closed_at.is_(None),
                    )
                    .order_by(Membership.id)
                )
            )
            if len(members) < 2:
                return []
            since = (date.fromisoformat(period) - RECENT).isoformat()
            history = (
                await session.execute(
                    select(BuddyMatch.period, BuddyMatch.group_no, BuddyMatch.membership_id).where(
                        BuddyMatch.cohort_id == cohort.id, BuddyMatch.period >= since, BuddyMatch.period < period
                    )
                )
            ).all()
            threads = await known_in(session, {cohort.id} if cohort.threads else set(), THREAD)
        by_id = {m.id: m for m in members}
        # Off the event loop: a cohort of thousands takes a noticeable moment, and commands keep coming.
        groups = await asyncio.to_thread(
            pair_members, [_candidate(roadmap, m) for m in members], _pairs(list(history)), f"{cohort.id}:{period}"
        )
        where = {m.id: standing(roadmap, m, threads) for m in members}
        seen = {m.id: standing(roadmap, m, threads, to_others=True) for m in members}
        jobs: list[BuddyJob] = []
        async with self._sessions() as session:
            # The pairing is done when this transaction commits (its groups with it): recorded as sent.
            if await claim(session, "buddies", cohort.id, period, slot, now, status="sent") is None:
                return []  # another process paired this week
            for group_no, group in enumerate(groups):
                for membership_id in group:
                    session.add(
                        BuddyMatch(membership_id=membership_id, period=period, cohort_id=cohort.id, group_no=group_no)
                    )
                    delivery_id = await claim(session, "buddy", membership_id, period, slot, now)
                    if delivery_id is None:
                        continue
                    member = by_id[membership_id]
                    jobs.append(
                        BuddyJob(
                            delivery_id,
                            membership_id,
                            member.user_id,
                            cohort.guild_id,
                            cohort.name,
                            member.dm_channel_id,
                            where[membership_id],
                            tuple(seen[other] for other in group if other != membership_id),
                            i18n.language_for(member.locale or cohort.locale),
                        )
                    )
            await session.commit()
        return jobs
