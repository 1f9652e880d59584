"""A member's actions on their way through the roadmap: joining, leaving, done / skip / goto, and a
moderator's moves and removals. Look-ups are bot.services.progress.memberships; read views, progress_views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot import i18n, logs
from bot.db.group_commit import GroupCommit
from bot.db.models import Cohort, FocusParticipant, Membership, StudySession, joining
from bot.i18n import Text
from bot.roadmap import TopicRef
from bot.services import caller
from bot.services import validation as v
from bot.services.authority import Authority
from bot.services.clock import Clock
from bot.services.cohorts.registry import CohortService
from bot.services.delivery.timers import sync_nudge_timer
from bot.services.errors import Conflict
from bot.services.progress import tallies
from bot.services.progress.advance import AdvanceResult, Step, WeekMoved, advance, ensure_open
from bot.services.progress.memberships import MEMBER_COHORTS, Memberships, live_rows
from bot.services.study.focus_rows import end_focus
from bot.services.study.rooms import end_stays, switch_topic
from bot.services.topics import find_topic
from bot.usertext import md


@dataclass(frozen=True, slots=True)
class JoinResult:
    cohort: Cohort
    topic: TopicRef | None
    rejoined: bool


class ProgressService:
    """A member's way through the roadmap in a cohort; every call is scoped to a guild."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        memberships: Memberships,
        clock: Clock,
        cohorts: CohortService,
        group: GroupCommit | None = None,
    ) -> None:
        self._sessions = sessions
        self._memberships = memberships
        self._roadmap_of = memberships.roadmap_of
        self._topic_or_first = memberships.topic_or_first
        self._clock = clock
        self._cohorts = cohorts
        self._group = group  # SQLite's group commit for /done and /skip (bot.db.group_commit), if any

    # --- member actions --------------------------------------------------------------

    async def join(self, guild_id: int, user_id: int, cohort_name: str) -> JoinResult:
        """Join a cohort at the first topic; a member who left before resumes where they were."""
        async with self._sessions() as session:
            cohort = await self._cohorts.find_in(session, guild_id, cohort_name)
            if cohort.archived:
                raise Conflict(
                    Text("The cohort **{cohort}** is archived and takes no new members.", cohort=md(cohort.name))
                )
            membership = await session.scalar(
                select(Membership).where(Membership.cohort_id == cohort.id, Membership.user_id == user_id)
            )
            now = self._clock.now()
            if membership is not None and membership.active:
                raise Conflict(
                    Text("You are already in **{cohort}**. `/progress` shows where you are.", cohort=md(cohort.name))
                )
            if membership is not None:
                membership.left_at = None
                membership.display_name = caller.current_name() or membership.display_name
                membership.dm_closed_at = None  # joining is using a command: DMs are worth a try again
                rejoined = True
            else:
                first = self._roadmap_of(cohort).first_topic
                membership = Membership(
                    **joining(cohort.id, user_id, first.id, now),
                    locale=i18n.current(),
                    display_name=caller.current_name(),
                )
                session.add(membership)
                rejoined = False
            sync_nudge_timer(membership, cohort, now)
            try:
                await session.commit()
            except IntegrityError:
                raise Conflict(Text("You are already in **{cohort}**.", cohort=md(cohort.name))) from None
            return JoinResult(cohort, self._topic_or_first(cohort, membership.current_topic_id), rejoined)

    async def leave(self, guild_id: int, user_id: int, cohort_name: str | None) -> Cohort:
        """Leave a cohort; the history stays and is used again if they rejoin."""
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            caller.remember(session, membership)
            result = await session.execute(
                update(Membership)
                .where(Membership.id == membership.id, Membership.left_at.is_(None))
                .values(left_at=self._clock.now(), next_nudge_at=None)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise Conflict(Text("You already left **{cohort}**.", cohort=md(cohort.name)))
            await end_stays(session, StudySession.membership_id == membership.id, self._clock.now())
            await end_focus(session, FocusParticipant.membership_id == membership.id, self._clock.now())
            await session.commit()
            return cohort

    async def resolve(self, guild_id: int, user_id: int, cohort_name: str | None) -> Cohort:
        """The cohort a member means: the named one, or their only one (raises when ambiguous)."""
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            caller.remember(session, membership)
            await caller.commit_noted(session)
            return cohort

    async def done(
        self,
        guild_id: int,
        user_id: int,
        cohort_name: str | None,
        note: str | None,
        *,
        as_of: datetime | None = None,
    ) -> AdvanceResult:
        """Mark the current topic done and move to the next one.

        `as_of` is when the member asked (the interaction's creation time). A topic that became
        current after that moment is not the one they meant, so the request is refused: this is
        what makes a double-sent /done advance once.
        """
        return await self._find_and_advance(guild_id, user_id, cohort_name, "done", v.validate_note(note), as_of)

    async def skip(
        self, guild_id: int, user_id: int, cohort_name: str | None, *, as_of: datetime | None = None
    ) -> AdvanceResult:
        """Move past the current topic without counting it as done (`as_of` as for `done`)."""
        return await self._find_and_advance(guild_id, user_id, cohort_name, "skip", None, as_of)

    async def _find_and_advance(
        self,
        guild_id: int,
        user_id: int,
        cohort_name: str | None,
        kind: Step,
        note: str | None,
        as_of: datetime | None,
    ) -> AdvanceResult:
        if cohort_name is None and self._group is not None:
            # The common case, in SQLite's group commit; anything else (no cohort or several, a week
            # to count) takes the path below, which says what went wrong.
            try:
                result = await self._group.run(
                    partial(self._advance_sole_membership, guild_id, user_id, kind, note, as_of)
                )
            except WeekMoved:
                result = None
            if result is not None:
                logs.bind(cohort=result.cohort.name)
                return result
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            caller.remember(session, membership)
            return await self._advance_and_commit(session, cohort, membership, kind, note, as_of)

    def _advance_sole_membership(
        self, guild_id: int, user_id: int, kind: Step, note: str | None, as_of: datetime | None, session: Session
    ) -> AdvanceResult | None:
        """`advance` for a member in exactly one live cohort of the guild, else None (a unit of work)."""
        live = live_rows(session.execute(MEMBER_COHORTS, {"guild_id": guild_id, "user_id": user_id}).all())
        if len(live) != 1:
            return None
        cohort, membership = live[0]
        caller.remember(session, membership)
        return advance(session, self._roadmap_of(cohort), cohort, membership, kind, note, as_of, self._clock.now())

    async def _advance_and_commit(
        self,
        session: AsyncSession,
        cohort: Cohort,
        membership: Membership,
        kind: Step,
        note: str | None,
        as_of: datetime | None,
    ) -> AdvanceResult:
        # Twice at most: a moderator who moves the cohort's leaderboard week while this runs makes the
        # first attempt write nothing (bot.services.progress.tallies); the second counts in the new week.
        for attempt in (1, 2):
            roadmap, now = self._roadmap_of(cohort), self._clock.now()
            try:
                result = await session.run_sync(advance, roadmap, cohort, membership, kind, note, as_of, now)
            except WeekMoved:
                await session.rollback()
                await session.refresh(cohort)
                await session.refresh(membership)
                if attempt == 1 and await tallies.ensure_counted(session, cohort, self._clock.now()):
                    await session.commit()
                continue
            await session.commit()
            return result
        raise Conflict(
            Text("The cohort's leaderboard week changed while you sent this; nothing was marked. Try again.")
        )

    async def done_from_nudge(
        self, membership_id: int, user_id: int, topic_id: str, *, as_of: datetime | None = None
    ) -> AdvanceResult:
        """The Done button of a nudge: marks done the topic the nudge was about, if it is still current."""
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_for_button(session, membership_id, user_id)
            if membership.current_topic_id != topic_id:
                about = self._roadmap_of(cohort).topic(topic_id)
                now_on = self._topic_or_first(cohort, membership.current_topic_id)
                raise Conflict(
                    Text(
                        "This nudge was about **{about}**, but you have moved on to **{now_on}**. Nothing was marked.",
                        about=about.topic.title if about else topic_id,
                        now_on=now_on.topic.title if now_on else Text("the end of the roadmap"),
                    )
                )
            return await self._advance_and_commit(session, cohort, membership, "done", None, as_of)

    async def goto(
        self, guild_id: int, user_id: int, cohort_name: str | None, topic_query: str
    ) -> tuple[Cohort, TopicRef]:
        """Jump to any topic (forwards or back); nothing is recorded as done or skipped. The cohort and
        the topic the member is on now."""
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            caller.remember(session, membership)
            ensure_open(cohort)
            target = find_topic(self._roadmap_of(cohort), topic_query)
            if membership.current_topic_id == target.id:
                raise Conflict(Text("You are already on **{topic_title}**.", topic_title=target.topic.title))
            await self._move(session, cohort, membership, target)
            await session.commit()
        return cohort, target

    async def _move(self, session: AsyncSession, cohort: Cohort, membership: Membership, target: TopicRef) -> None:
        now = self._clock.now()
        membership.current_topic_id = target.id
        membership.topic_started_at = now
        membership.finished_at = None
        sync_nudge_timer(membership, cohort, now)
        if cohort.study_time:  # a stay is open only while study time is on (see advance)
            await session.run_sync(lambda sync: switch_topic(sync, membership.id, target.id, now))

    # --- moderator actions -----------------------------------------------------------

    async def set_progress(
        self, guild_id: int, cohort_name: str, user_id: int, topic_query: str, by: Authority
    ) -> tuple[Cohort, TopicRef]:
        """A moderator moves a member to a topic; the cohort and the topic they are on now."""
        async with self._sessions() as session:
            cohort = await self._cohorts.find_moderated(session, guild_id, cohort_name, by)
            membership = await self._memberships.active_in(session, cohort, user_id, self_view=False)
            ensure_open(cohort)
            target = find_topic(self._roadmap_of(cohort), topic_query)
            await self._move(session, cohort, membership, target)
            await session.commit()
        return cohort, target

    async def remove_member(self, guild_id: int, cohort_name: str, user_id: int, by: Authority) -> Cohort:
        """A moderator removes a member; like /leave, their history is kept."""
        async with self._sessions() as session:
            cohort = await self._cohorts.find_moderated(session, guild_id, cohort_name, by)
            membership = await self._memberships.active_in(session, cohort, user_id, self_view=False)
            membership.left_at = self._clock.now()
            membership.next_nudge_at = None
            await end_stays(session, StudySession.membership_id == membership.id, membership.left_at)
            await end_focus(session, FocusParticipant.membership_id == membership.id, membership.left_at)
            await session.commit()
            return cohort
