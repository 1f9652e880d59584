"""Member progress: joining, leaving, done / skip / goto, and the progress report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot import i18n, logs
from bot.db.group_commit import GroupCommit
from bot.db.models import Cohort, Membership, ProgressEvent
from bot.i18n import t
from bot.roadmap import Roadmap, RoadmapCatalog, Stage, TopicRef
from bot.services import caller, tallies
from bot.services import validation as v
from bot.services.advance import AdvanceResult, WeekMoved, advance, ensure_open, topic_or_first
from bot.services.clock import Clock
from bot.services.cohorts import CohortService
from bot.services.errors import Conflict, NotAllowed, NotFound
from bot.services.pace import CohortCalendar, PaceStatus, member_pace
from bot.services.schedule import local_date
from bot.services.streaks import best_streak, current_streak, member_activity, paused_days
from bot.services.timers import member_timezone, sync_nudge_timer
from bot.services.topics import cohort_roadmap, find_topic
from bot.usertext import md


@dataclass(frozen=True, slots=True)
class JoinResult:
    cohort: Cohort
    topic: TopicRef | None
    rejoined: bool


@dataclass(frozen=True, slots=True)
class StageProgress:
    stage: Stage
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class ProgressReport:
    """Everything `/progress` shows, computed from the membership and its history."""

    cohort: Cohort
    roadmap: Roadmap
    user_id: int
    current: TopicRef | None
    done_count: int
    total_topics: int
    stages: list[StageProgress]
    days_on_topic: int
    topic_budget_days: float | None
    pace: PaceStatus
    streak: int
    best_streak: int  # the longest streak ever, the current one included
    expected_share: float = 0.0  # where the calendar says the cohort should be, 0..1 of its days
    position_share: float = 0.0  # where the member is on the same scale (the start of their topic)
    # The member hid from the leaderboard: their progress is theirs and their moderators' to see.
    private: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total_topics) if self.total_topics else 0


# Built once: constructing a statement costs more than running it on an indexed table.
_MEMBER_COHORTS = (
    select(Cohort, Membership)
    .join(Membership, Membership.cohort_id == Cohort.id)
    .where(
        Cohort.guild_id == bindparam("guild_id"),
        Membership.user_id == bindparam("user_id"),
        Membership.left_at.is_(None),
    )
    .order_by(Cohort.archived_at.is_not(None), Cohort.name)
)


def _live(rows: list) -> list:
    """The (cohort, membership) rows a member can mean without naming a cohort: archived cohorts only
    count when there is nothing else to pick."""
    return [row for row in rows if not row[0].archived] or rows


class ProgressService:
    """A member's way through the roadmap in a cohort; every call is scoped to a guild."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        roadmaps: RoadmapCatalog,
        clock: Clock,
        cohorts: CohortService,
        group: GroupCommit | None = None,
    ) -> None:
        self._sessions = sessions
        self._roadmaps = roadmaps
        self._clock = clock
        self._cohorts = cohorts
        self._group = group  # SQLite's group commit for /done and /skip (bot.db.group_commit), if any

    # --- finding the member's cohort -------------------------------------------------

    async def membership_in(
        self, session: AsyncSession, guild_id: int, user_id: int, cohort_name: str | None, *, self_view: bool = True
    ) -> tuple[Cohort, Membership]:
        """The member's active membership: in the named cohort, or their only one in the guild."""
        if cohort_name:
            cohort = await self._cohorts.find_in(session, guild_id, cohort_name)
            membership = await session.scalar(
                select(Membership).where(
                    Membership.cohort_id == cohort.id, Membership.user_id == user_id, Membership.left_at.is_(None)
                )
            )
            logs.bind(cohort=cohort.name)
            if membership is None:
                if self_view:
                    raise NotFound(
                        t(
                            "You are not in the cohort **{cohort}**. Join it with `/join cohort:{cohort}`.",
                            cohort=md(cohort.name),
                        )
                    )
                raise NotFound(t("That member is not in the cohort **{cohort}**.", cohort=md(cohort.name)))
            if self_view:
                caller.remember(session, membership)
            return cohort, membership
        rows = (await session.execute(_MEMBER_COHORTS, {"guild_id": guild_id, "user_id": user_id})).all()
        live = _live(rows)
        if not live:
            if self_view:
                raise NotFound(
                    t(
                        "You are not in any cohort in this server. Use `/join`: its `cohort` option lists the "
                        "cohorts you can join."
                    )
                )
            raise NotFound(t("That member is not in any cohort in this server."))
        if len(live) > 1:
            names = ", ".join(f"**{md(c.name)}**" for c, _ in live)
            raise Conflict(
                t(
                    "You are in several cohorts ({names}). Add the `cohort` option to say which one you mean."
                    if self_view
                    else "That member is in several cohorts ({names}). Add the `cohort` option to say which one "
                    "they mean.",
                    names=names,
                )
            )
        cohort, membership = live[0]
        logs.bind(cohort=cohort.name)
        if self_view:
            caller.remember(session, membership)
        return cohort, membership

    @staticmethod
    async def keep_caller(session: AsyncSession) -> None:
        """End a read that succeeded: store the member's language and name if `membership_in` noted a change."""
        if session.info.pop(caller.NOTED, False):
            await session.commit()

    def roadmap_of(self, cohort: Cohort) -> Roadmap:
        """The roadmap `cohort` follows."""
        return cohort_roadmap(self._roadmaps, cohort)

    def _topic_or_first(self, cohort: Cohort, topic_id: str | None) -> TopicRef | None:
        return topic_or_first(self.roadmap_of(cohort), topic_id)

    # --- member actions --------------------------------------------------------------

    async def join(self, guild_id: int, user_id: int, cohort_name: str) -> JoinResult:
        """Join a cohort at the first topic; a member who left before resumes where they were."""
        async with self._sessions() as session:
            cohort = await self._cohorts.find_in(session, guild_id, cohort_name)
            if cohort.archived:
                raise Conflict(
                    t("The cohort **{cohort}** is archived and takes no new members.", cohort=md(cohort.name))
                )
            membership = await session.scalar(
                select(Membership).where(Membership.cohort_id == cohort.id, Membership.user_id == user_id)
            )
            now = self._clock.now()
            if membership is not None and membership.active:
                raise Conflict(
                    t("You are already in **{cohort}**. `/progress` shows where you are.", cohort=md(cohort.name))
                )
            if membership is not None:
                membership.left_at = None
                membership.display_name = caller.current_name() or membership.display_name
                membership.dm_closed_at = None  # joining is using a command: DMs are worth a try again
                rejoined = True
            else:
                first = self.roadmap_of(cohort).first_topic
                # Column defaults only apply at INSERT; the timer below reads these before that.
                membership = Membership(
                    cohort_id=cohort.id,
                    user_id=user_id,
                    current_topic_id=first.id,
                    topic_started_at=now,
                    joined_at=now,
                    nudges_enabled=True,
                    show_on_leaderboard=True,
                    dm_notice_pending=False,
                    locale=i18n.current(),
                    display_name=caller.current_name(),
                )
                session.add(membership)
                rejoined = False
            sync_nudge_timer(membership, cohort, now)
            try:
                await session.commit()
            except IntegrityError:
                raise Conflict(t("You are already in **{cohort}**.", cohort=md(cohort.name))) from None
            return JoinResult(cohort, self._topic_or_first(cohort, membership.current_topic_id), rejoined)

    async def leave(self, guild_id: int, user_id: int, cohort_name: str | None) -> Cohort:
        """Leave a cohort; the history stays and is used again if they rejoin."""
        async with self._sessions() as session:
            cohort, membership = await self.membership_in(session, guild_id, user_id, cohort_name)
            result = await session.execute(
                update(Membership)
                .where(Membership.id == membership.id, Membership.left_at.is_(None))
                .values(left_at=self._clock.now(), next_nudge_at=None)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise Conflict(t("You already left **{cohort}**.", cohort=md(cohort.name)))
            await session.commit()
            return cohort

    async def resolve(self, guild_id: int, user_id: int, cohort_name: str | None) -> Cohort:
        """The cohort a member means: the named one, or their only one (raises when ambiguous)."""
        async with self._sessions() as session:
            cohort, _ = await self.membership_in(session, guild_id, user_id, cohort_name)
            await self.keep_caller(session)
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
        return await self._advance(guild_id, user_id, cohort_name, "done", v.validate_note(note), as_of)

    async def skip(
        self, guild_id: int, user_id: int, cohort_name: str | None, *, as_of: datetime | None = None
    ) -> AdvanceResult:
        """Move past the current topic without counting it as done (`as_of` as for `done`)."""
        return await self._advance(guild_id, user_id, cohort_name, "skip", None, as_of)

    async def _advance(
        self,
        guild_id: int,
        user_id: int,
        cohort_name: str | None,
        kind: str,
        note: str | None,
        as_of: datetime | None,
    ) -> AdvanceResult:
        if cohort_name is None and self._group is not None:
            # The common case, in SQLite's group commit; anything else (no cohort or several, a week
            # to count) takes the path below, which says what went wrong.
            try:
                result = await self._group.run(partial(self._advance_alone, guild_id, user_id, kind, note, as_of))
            except WeekMoved:
                result = None
            if result is not None:
                logs.bind(cohort=result.cohort.name)
                return result
        async with self._sessions() as session:
            cohort, membership = await self.membership_in(session, guild_id, user_id, cohort_name)
            return await self._advance_in(session, cohort, membership, kind, note, as_of)

    def _advance_alone(
        self, guild_id: int, user_id: int, kind: str, note: str | None, as_of: datetime | None, session: Session
    ) -> AdvanceResult | None:
        """`advance` for a member in exactly one live cohort of the guild, else None (a unit of work)."""
        live = _live(session.execute(_MEMBER_COHORTS, {"guild_id": guild_id, "user_id": user_id}).all())
        if len(live) != 1:
            return None
        cohort, membership = live[0]
        caller.remember(session, membership)
        return advance(session, self.roadmap_of(cohort), cohort, membership, kind, note, as_of, self._clock.now())

    async def _advance_in(
        self,
        session: AsyncSession,
        cohort: Cohort,
        membership: Membership,
        kind: str,
        note: str | None,
        as_of: datetime | None,
    ) -> AdvanceResult:
        # Twice at most: a moderator who moves the cohort's leaderboard week while this runs makes the
        # first attempt write nothing (bot.services.tallies); the second counts in the new week.
        for attempt in (1, 2):
            roadmap, now = self.roadmap_of(cohort), self._clock.now()
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
        raise Conflict(t("The cohort's leaderboard week changed while you sent this; nothing was marked. Try again."))

    async def done_from_nudge(
        self, membership_id: int, user_id: int, topic_id: str, *, as_of: datetime | None = None
    ) -> AdvanceResult:
        """The Done button of a nudge: marks done the topic the nudge was about, if it is still current."""
        async with self._sessions() as session:
            cohort, membership = await self.membership_for_button(session, membership_id, user_id)
            if membership.current_topic_id != topic_id:
                about = self.roadmap_of(cohort).topic(topic_id)
                now_on = self._topic_or_first(cohort, membership.current_topic_id)
                raise Conflict(
                    t(
                        "This nudge was about **{about}**, but you have moved on to **{now_on}**. Nothing was marked.",
                        about=about.topic.title if about else topic_id,
                        now_on=now_on.topic.title if now_on else t("the end of the roadmap"),
                    )
                )
            return await self._advance_in(session, cohort, membership, "done", None, as_of)

    async def membership_for_button(
        self, session: AsyncSession, membership_id: int, user_id: int
    ) -> tuple[Cohort, Membership]:
        """The membership a nudge button names, refused to anyone but its member or after they left."""
        row = (
            await session.execute(
                select(Cohort, Membership)
                .join(Membership, Membership.cohort_id == Cohort.id)
                .where(Membership.id == membership_id)
            )
        ).first()
        if row is None or row[1].user_id != user_id:
            raise NotAllowed(t("These buttons belong to someone else's nudge."))
        cohort, membership = row
        if membership.left_at is not None:
            raise Conflict(
                t(
                    "You left **{cohort}**, so this nudge no longer applies. `/join` brings you back.",
                    cohort=md(cohort.name),
                )
            )
        return cohort, membership

    async def goto(self, guild_id: int, user_id: int, cohort_name: str | None, topic_query: str) -> TopicRef:
        """Jump to any topic (forwards or back); nothing is recorded as done or skipped."""
        async with self._sessions() as session:
            cohort, membership = await self.membership_in(session, guild_id, user_id, cohort_name)
            ensure_open(cohort)
            target = find_topic(self.roadmap_of(cohort), topic_query)
            if membership.current_topic_id == target.id:
                raise Conflict(t("You are already on **{topic_title}**.", topic_title=target.topic.title))
            self._move(cohort, membership, target)
            await session.commit()
        return target

    def _move(self, cohort: Cohort, membership: Membership, target: TopicRef) -> None:
        now = self._clock.now()
        membership.current_topic_id = target.id
        membership.topic_started_at = now
        membership.finished_at = None
        sync_nudge_timer(membership, cohort, now)

    # --- moderator actions -----------------------------------------------------------

    async def set_progress(self, guild_id: int, cohort_name: str, user_id: int, topic_query: str) -> TopicRef:
        """A moderator moves a member to a topic."""
        async with self._sessions() as session:
            cohort, membership = await self.membership_in(session, guild_id, user_id, cohort_name, self_view=False)
            ensure_open(cohort)
            target = find_topic(self.roadmap_of(cohort), topic_query)
            self._move(cohort, membership, target)
            await session.commit()
        return target

    async def remove_member(self, guild_id: int, cohort_name: str, user_id: int) -> Cohort:
        """A moderator removes a member; like /leave, their history is kept."""
        async with self._sessions() as session:
            cohort, membership = await self.membership_in(session, guild_id, user_id, cohort_name, self_view=False)
            membership.left_at = self._clock.now()
            membership.next_nudge_at = None
            await session.commit()
            return cohort

    # --- reading ---------------------------------------------------------------------

    async def report(
        self, guild_id: int, user_id: int, cohort_name: str | None, *, self_view: bool = True
    ) -> ProgressReport:
        """The member's progress in a cohort: topics done, per stage, pace and streak."""
        async with self._sessions() as session:
            cohort, membership = await self.membership_in(session, guild_id, user_id, cohort_name, self_view=self_view)
            activity = await member_activity(session, membership.id)
            paused = await paused_days(session, cohort.id)
            await self.keep_caller(session)
        timezone = member_timezone(membership, cohort)
        now = self._clock.now()
        active_days = {local_date(at, timezone) for _, at in activity}
        streak = current_streak(active_days, local_date(now, timezone), paused)
        today = local_date(now, cohort.timezone)
        roadmap = self.roadmap_of(cohort)
        done_ids = {topic_id for topic_id, _ in activity if topic_id is not None} & roadmap.topic_ids
        stages = [
            StageProgress(stage, sum(t.id in done_ids for t in stage.topics), len(stage.topics))
            for stage in roadmap.stages
        ]
        calendar = CohortCalendar.build(roadmap, cohort.start_date, cohort.pace, paused)
        current = self._topic_or_first(cohort, membership.current_topic_id)
        return ProgressReport(
            cohort=cohort,
            roadmap=roadmap,
            user_id=user_id,
            current=current,
            done_count=len(done_ids),
            total_topics=len(roadmap.topics),
            stages=stages,
            days_on_topic=calendar.study_days(
                local_date(membership.topic_started_at, timezone), local_date(now, timezone)
            ),
            topic_budget_days=calendar.windows[current.id].length if current else None,
            pace=member_pace(calendar, current.id if current else None, today),
            streak=streak,
            best_streak=best_streak(active_days, paused),
            expected_share=max(0.0, calendar.day_of(today) / calendar.total_days),
            position_share=calendar.windows[current.id].start_day / calendar.total_days if current else 1.0,
            private=not membership.show_on_leaderboard,
        )

    async def roadmap_for(self, guild_id: int, user_id: int, cohort_name: str | None) -> Roadmap:
        """The roadmap to show a member (see `roadmap_view`), without reading their progress."""
        async with self._sessions() as session:
            roadmap, _ = await self._roadmap_in_view(session, guild_id, user_id, cohort_name)
            return roadmap

    async def roadmap_view(
        self, guild_id: int, user_id: int, cohort_name: str | None
    ) -> tuple[Roadmap, set[str], set[str]]:
        """The roadmap to show a member and their (done, current) topic ids on it.

        The named cohort's roadmap (member or not: a look before joining); else the one the member's
        cohorts follow; else, when they are in none, the one every cohort of this server follows, or
        the default. Cohorts on different roadmaps need the `cohort` option.
        """
        async with self._sessions() as session:
            roadmap, memberships = await self._roadmap_in_view(session, guild_id, user_id, cohort_name)
            if not memberships:
                return roadmap, set(), set()
            done = await session.scalars(
                select(ProgressEvent.topic_id).where(
                    ProgressEvent.membership_id.in_([m.id for m in memberships]), ProgressEvent.kind == "done"
                )
            )
            current = {m.current_topic_id for m in memberships if m.current_topic_id}
            return roadmap, set(done) & roadmap.topic_ids, current

    async def _roadmap_in_view(
        self, session: AsyncSession, guild_id: int, user_id: int, cohort_name: str | None
    ) -> tuple[Roadmap, list[Membership]]:
        """The roadmap `roadmap_view` shows, and the member's active memberships that follow it."""
        cohort = await self._cohorts.find_in(session, guild_id, cohort_name) if cohort_name else None
        rows = list(await session.execute(_MEMBER_COHORTS, {"guild_id": guild_id, "user_id": user_id}))
        if cohort is not None:
            return self.roadmap_of(cohort), [m for c, m in rows if c.id == cohort.id]
        if rows:
            if len({c.roadmap_id for c, _ in rows}) > 1:
                names = ", ".join(f"**{md(c.name)}**" for c, _ in rows)
                raise Conflict(
                    t(
                        "Your cohorts ({names}) follow different roadmaps. Add the `cohort` "
                        "option to say which one you mean.",
                        names=names,
                    )
                )
            return self.roadmap_of(rows[0][0]), [m for _, m in rows]
        keys = set(await session.scalars(select(Cohort.roadmap_id).where(Cohort.guild_id == guild_id)))
        return self._roadmaps.get(keys.pop() if len(keys) == 1 else None), []

    async def current_topic(self, guild_id: int, user_id: int, cohort_name: str | None) -> TopicRef | None:
        """The member's current topic (None when finished)."""
        async with self._sessions() as session:
            cohort, membership = await self.membership_in(session, guild_id, user_id, cohort_name)
            await self.keep_caller(session)
            return self._topic_or_first(cohort, membership.current_topic_id)
