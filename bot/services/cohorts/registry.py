"""Cohorts: create, configure, list, archive, and moderator actions on their members."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import logs, lookalike
from bot.db.models import Cohort, CohortPause, Membership, StudySession
from bot.i18n import Text
from bot.roadmap import DEFAULT_ROADMAP, RoadmapCatalog
from bot.services import validation as v
from bot.services.authority import Authority
from bot.services.clock import Clock
from bot.services.cohorts.links import THREAD, forget_statement
from bot.services.cohorts.schedule import local_date
from bot.services.cohorts.settings import (
    CohortOptions,
    ServerAccess,
    apply_options,
    check_caller_may,
    check_events_possible,
    check_roles_possible,
    check_room_possible,
    check_threads_possible,
)
from bot.services.delivery.timers import sync_leaderboard_timer, sync_nudge_timer
from bot.services.errors import Conflict, InvalidInput, NeedsConfirmation, NotFound, did_you_mean
from bot.services.progress import tallies
from bot.services.progress.pace import CohortCalendar
from bot.services.progress.streaks import paused_days
from bot.services.study.focus_rows import end_focus, in_cohort
from bot.services.study.rooms import end_stays
from bot.services.topics import cohort_roadmap, find_roadmap
from bot.usertext import QUOTE_MAX, md


@dataclass(frozen=True, slots=True)
class CohortListing:
    cohort: Cohort
    active_members: int
    started: bool = False  # the start date has come in the cohort's timezone


@dataclass(frozen=True, slots=True)
class CohortOverview:
    """What /cohort info shows: the settings, the member count and the planned breaks (first first)."""

    cohort: Cohort
    active_members: int
    pauses: list[tuple[date, date]]
    buddies_opted_in: int = 0  # active members who opted in to study buddies

    @property
    def paused(self) -> frozenset[date]:
        """Every paused day."""
        return frozenset(start + timedelta(days=n) for start, end in self.pauses for n in range((end - start).days + 1))


class CohortService:
    """Cohort administration for one bot; every call is scoped to a guild."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, roadmaps: RoadmapCatalog | None = None
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._roadmaps = roadmaps

    async def find_in(self, session: AsyncSession, guild_id: int, name: str) -> Cohort:
        cohort = await session.scalar(
            select(Cohort).where(Cohort.guild_id == guild_id, Cohort.name_key == v.name_key(name))
        )
        if cohort is not None:
            logs.bind(cohort=cohort.name)
            return cohort
        names = list(await session.scalars(select(Cohort.name).where(Cohort.guild_id == guild_id)))
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        if not names:
            raise NotFound(
                Text("There is no cohort named **{name}** in this server; none exist yet.", name=md(name, QUOTE_MAX))
            )
        raise NotFound(
            Text(
                "There is no cohort named **{name}** in this server.{value} Start typing in the `cohort` option "
                "and pick one from its list.",
                name=md(name, QUOTE_MAX),
                value=did_you_mean(close),
            )
        )

    async def find_moderated(self, session: AsyncSession, guild_id: int, name: str, by: Authority) -> Cohort:
        """`find_in`, then NotAllowed unless `by` moderates the cohort found: the one check of every
        moderator action, on the row the action works on."""
        cohort = await self.find_in(session, guild_id, name)
        by.require(cohort)
        return cohort

    async def moderated(self, guild_id: int, name: str, by: Authority) -> Cohort:
        """The named cohort for a moderator to read (`find_moderated` in a session of its own)."""
        async with self._sessions() as session:
            return await self.find_moderated(session, guild_id, name, by)

    async def create(
        self, guild_id: int, by: Authority, options: CohortOptions, *, calendar_over_ok: bool = False
    ) -> Cohort:
        """A new cohort, created by someone with Manage Server; name, channel, start date and timezone are
        required.

        A calendar that is already over is most likely a typo in the year: NeedsConfirmation unless
        `calendar_over_ok`."""
        if options.name is None or options.channel is None or options.start_date is None or not options.timezone:
            raise ValueError("create needs name, channel, start_date and timezone")
        by.require()
        by.require_role_setting(guild_id, options.moderator_role_id)
        cohort = Cohort(
            guild_id=guild_id,
            created_by=by.user_id,
            created_at=self._clock.now(),
            nudge_time="09:00",
            leaderboard_weekday=0,
            leaderboard_time="18:00",
            pace="standard",
            roadmap_id=self._roadmap_key(options.roadmap),
        )
        apply_options(cohort, options, self._clock.now().date())
        cohort.tallied_week = tallies.week_key(cohort)  # no history yet: counted for its week as it stands
        sync_leaderboard_timer(cohort, self._clock.now())
        async with self._sessions() as session:
            await self._ensure_name_free(session, guild_id, cohort.name)
            if not calendar_over_ok:
                self._check_calendar_running(cohort, frozenset())
            session.add(cohort)
            try:
                await session.commit()
            except IntegrityError:
                # Two creates with the same name raced past the check above.
                raise self._duplicate(cohort.name) from None
        return cohort

    def _roadmap_key(self, query: str | None) -> str:
        if not query:
            return DEFAULT_ROADMAP
        if self._roadmaps is None:
            raise ValueError("this CohortService was built without a roadmap catalog")
        return find_roadmap(self._roadmaps, query)

    async def edit(
        self,
        guild_id: int,
        name: str,
        options: CohortOptions,
        by: Authority,
        *,
        calendar_over_ok: bool = False,
        access: ServerAccess | None = None,
    ) -> Cohort:
        """A moderator changes the given settings of a cohort; nothing changes when any value is invalid.

        `status="active"` reopens an archived cohort. A new start date or pace that puts the whole
        calendar in the past raises NeedsConfirmation unless `calendar_over_ok`."""
        async with self._sessions() as session:
            cohort = await self.find_moderated(session, guild_id, name, by)
            by.require_role_setting(guild_id, options.moderator_role_id)
            if replace(options, locale=None) == CohortOptions():
                raise InvalidInput(Text("Nothing to change: give at least one option besides `cohort`."))
            if options.name is not None and v.name_key(options.name) != cohort.name_key:
                await self._ensure_name_free(session, guild_id, options.name, renamed=cohort.id)
            if options.status is not None:
                v.parse_status(options.status)
                if not cohort.archived:
                    raise Conflict(Text("**{cohort}** is not archived: it is active already.", cohort=md(cohort.name)))
            now = self._clock.now()
            week_was, channel_was, room_was = tallies.week_key(cohort), cohort.channel_id, cohort.study_room_id
            apply_options(cohort, options, now.date())
            if not calendar_over_ok and (options.start_date is not None or options.pace is not None):
                self._check_calendar_running(cohort, await paused_days(session, cohort.id))
            if options.status is not None:
                cohort.archived_at = None
            await check_caller_may(cohort, options, access)  # the person asking first, then the bot
            await check_room_possible(cohort, options, access)
            if cohort.threads and (options.threads is not None or options.channel is not None):
                await check_threads_possible(cohort, access)
            if cohort.stage_roles and options.stage_roles is not None:
                check_roles_possible(access)
            if cohort.events and options.events is not None:
                check_events_possible(access)
            if not cohort.study_time or cohort.study_room_id != room_was:  # stays in a room no longer counted
                await end_stays(session, StudySession.cohort_id == cohort.id, now)
            if options.focus is not None and not cohort.focus:  # off already: no timer can be running
                await end_focus(session, in_cohort(cohort.id), now)
            if cohort.channel_id != channel_was:  # the old channel keeps its threads; the new one gets its own
                await session.execute(forget_statement(cohort.id, THREAD))
            sync_leaderboard_timer(cohort, now)
            if options.start_date or options.timezone or options.nudge_time or options.status:
                members = await session.scalars(
                    select(Membership).where(Membership.cohort_id == cohort.id, Membership.left_at.is_(None))
                )
                for membership in members:
                    sync_nudge_timer(membership, cohort, now, reschedule=True)
            if tallies.week_key(cohort) != week_was:  # every week boundary moved
                await tallies.ensure_counted(session, cohort, now)
            try:
                await session.commit()
            except IntegrityError:
                raise self._duplicate(cohort.name) from None
            return cohort

    def _check_calendar_running(self, cohort: Cohort, paused: frozenset[date]) -> None:
        if self._roadmaps is None:
            return
        calendar = CohortCalendar.build(cohort_roadmap(self._roadmaps, cohort), cohort.start_date, cohort.pace, paused)
        today = local_date(self._clock.now(), cohort.timezone)
        if calendar.last_day < today:
            raise NeedsConfirmation(
                Text(
                    "The calendar of **{cohort}** from {start} ended on {last}, before today ({today}): "
                    "every member would start behind on every topic. Is the year right?",
                    cohort=md(cohort.name),
                    start=cohort.start_date.isoformat(),
                    last=calendar.last_day.isoformat(),
                    today=today.isoformat(),
                )
            )

    @staticmethod
    def _duplicate(name: str) -> Conflict:
        return Conflict(
            Text(
                "A cohort named **{name}** already exists in this server. Choose another name.",
                name=md(name, QUOTE_MAX),
            )
        )

    async def _ensure_name_free(
        self, session: AsyncSession, guild_id: int, name: str, renamed: int | None = None
    ) -> None:
        """Conflict when the server has a cohort of that name, or one whose name looks the same
        (UTS #39 skeleton: `ѕрrіng` in Cyrillic letters beside `spring`); `renamed`: the cohort itself."""
        clean = v.parse_cohort_name(name)
        key = v.name_key(clean)
        exists = await session.scalar(select(Cohort.id).where(Cohort.guild_id == guild_id, Cohort.name_key == key))
        if exists is not None:
            raise self._duplicate(name)
        looks = lookalike.skeletons(clean)
        others = await session.execute(select(Cohort.id, Cohort.name).where(Cohort.guild_id == guild_id))
        for other_id, other in others:
            if other_id != renamed and not looks.isdisjoint(lookalike.skeletons(other)):
                raise Conflict(
                    Text(
                        "**{name}** looks the same as the cohort **{other}** in this server, so members could "
                        "not tell them apart. Choose a name that reads differently.",
                        name=md(clean, QUOTE_MAX),
                        other=md(other),
                    )
                )

    async def list(self, guild_id: int, by: Authority) -> list[CohortListing]:
        """The guild's cohorts with their active member counts, newest start date first, for someone who
        moderates at least one of them."""
        async with self._sessions() as session:
            active = (
                select(Membership.cohort_id, func.count().label("n"))
                .where(Membership.left_at.is_(None))
                .group_by(Membership.cohort_id)
                .subquery()
            )
            query = (
                select(Cohort, func.coalesce(active.c.n, 0))
                .outerjoin(active, active.c.cohort_id == Cohort.id)
                .where(Cohort.guild_id == guild_id)
                .order_by(Cohort.start_date.desc(), Cohort.name)
            )
            rows = (await session.execute(query)).all()
        by.require_any(cohort for cohort, _ in rows)
        now = self._clock.now()
        return [
            CohortListing(cohort, int(n), cohort.start_date <= local_date(now, cohort.timezone)) for cohort, n in rows
        ]

    async def moderator_role_ids(self, guild_id: int) -> frozenset[int]:
        """Every moderator role of the server's cohorts: roles no stage may hand out."""
        async with self._sessions() as session:
            ids = await session.scalars(
                select(Cohort.moderator_role_id).where(
                    Cohort.guild_id == guild_id, Cohort.moderator_role_id.is_not(None)
                )
            )
            return frozenset(i for i in ids if i is not None)

    async def names(self, guild_id: int, *, user_id: int | None = None, include_archived: bool = False) -> list[str]:
        """Cohort names for autocomplete; with `user_id`, only cohorts that user is active in."""
        async with self._sessions() as session:
            query = select(Cohort.name).where(Cohort.guild_id == guild_id).order_by(Cohort.name)
            if not include_archived:
                query = query.where(Cohort.archived_at.is_(None))
            if user_id is not None:
                query = query.join(Membership, Membership.cohort_id == Cohort.id).where(
                    Membership.user_id == user_id, Membership.left_at.is_(None)
                )
            return list(await session.scalars(query))

    async def archive(self, guild_id: int, name: str, by: Authority) -> Cohort:
        """A moderator archives a cohort: it stays readable, but takes no new members or progress."""
        async with self._sessions() as session:
            cohort = await self.find_moderated(session, guild_id, name, by)
            if cohort.archived:
                raise already_archived(cohort)
            cohort.archived_at = self._clock.now()
            cohort.next_leaderboard_at = None
            await end_stays(session, StudySession.cohort_id == cohort.id, cohort.archived_at)
            await end_focus(session, in_cohort(cohort.id), cohort.archived_at)
            await session.execute(
                update(Membership).where(Membership.cohort_id == cohort.id).values(next_nudge_at=None)
            )
            await session.commit()
            return cohort

    async def overview(self, cohort: Cohort) -> CohortOverview:
        """A cohort the caller already loaded, with its active member count and its planned breaks."""
        async with self._sessions() as session:
            members, buddies = (
                await session.execute(
                    select(func.count(), func.sum(case((Membership.buddy_opt_in, 1), else_=0))).where(
                        Membership.cohort_id == cohort.id, Membership.left_at.is_(None)
                    )
                )
            ).one()
            pauses = (
                await session.execute(
                    select(CohortPause.start_date, CohortPause.end_date)
                    .where(CohortPause.cohort_id == cohort.id)
                    .order_by(CohortPause.start_date)
                )
            ).all()
        return CohortOverview(cohort, int(members or 0), [(start, end) for start, end in pauses], int(buddies or 0))

    async def active_members(self, guild_id: int, name: str, by: Authority) -> tuple[Cohort, list[Membership]]:
        """The cohort and its current members, earliest joiner first, for a moderator."""
        async with self._sessions() as session:
            cohort = await self.find_moderated(session, guild_id, name, by)
            members = list(
                await session.scalars(
                    select(Membership)
                    .where(Membership.cohort_id == cohort.id, Membership.left_at.is_(None))
                    .order_by(Membership.joined_at, Membership.id)
                )
            )
            return cohort, members


def already_archived(cohort: Cohort) -> Conflict:
    """The refusal to archive a cohort twice: checked before a moderator is asked, and again on archive."""
    return Conflict(
        Text("**{cohort}** is already archived. `/cohort edit status:active` reopens it.", cohort=md(cohort.name))
    )


def keeps_stage_events(cohort: Cohort) -> bool:
    """Whether the cohort has scheduled events on Discord: turned on, and not archived (an archived
    cohort's events are removed)."""
    return cohort.events and not cohort.archived
