"""A member's own preferences and check-ins, and re-opening DMs when they come back."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CheckIn, Cohort, Membership, ProgressEvent
from bot.i18n import Text
from bot.services import caller
from bot.services import validation as v
from bot.services.clock import Clock
from bot.services.cohorts.role_grants import wants_stage_roles
from bot.services.cohorts.schedule import local_date
from bot.services.delivery.dm_state import ClosedDms
from bot.services.delivery.timers import member_nudge_time, member_timezone, sync_nudge_timer
from bot.services.errors import Conflict, InvalidInput
from bot.services.progress.journey import stage_finished
from bot.services.progress.memberships import Memberships
from bot.services.progress.streaks import member_streak, paused_days
from bot.services.study.ledger import study_time
from bot.usertext import md

MAX_CHECKIN_MINUTES = 24 * 60
# Typed into a time or timezone option: go back to the cohort's value.
DEFAULT_WORDS = {"default", "cohort", "reset"}


@dataclass(frozen=True, slots=True)
class SettingsView:
    """What `/settings` shows; `own_*` say whether the value is the member's or the cohort's."""

    cohort: Cohort
    nudges_enabled: bool
    nudge_time: str
    own_nudge_time: bool
    timezone: str
    own_timezone: bool
    show_on_leaderboard: bool
    dms_closed: bool
    next_nudge_at: datetime | None
    stage_roles: bool = True  # finishing a stage gives its role (bot.services.cohorts.role_grants.wants_stage_roles)
    own_stage_roles: bool = False  # the member said so (otherwise it follows show_on_leaderboard)
    # What this change did to stage roles: None nothing; False the member no longer wants them (take them
    # back); True they want them now (`finished_stages`: the ids of the stages whose roles are due).
    stage_roles_changed: bool | None = None
    finished_stages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckInResult:
    cohort: Cohort
    streak: int
    minutes_today: int


def _view(cohort: Cohort, membership: Membership) -> SettingsView:
    return SettingsView(
        cohort=cohort,
        nudges_enabled=membership.nudges_enabled,
        nudge_time=member_nudge_time(membership, cohort),
        own_nudge_time=membership.nudge_time is not None,
        timezone=member_timezone(membership, cohort),
        own_timezone=membership.timezone is not None,
        show_on_leaderboard=membership.show_on_leaderboard,
        dms_closed=membership.dm_closed_at is not None,
        next_nudge_at=membership.next_nudge_at,
        stage_roles=wants_stage_roles(membership),
        own_stage_roles=membership.wants_stage_roles is not None,
    )


class MemberService:
    """Per-member preferences; every call is scoped to a guild, like the commands."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        memberships: Memberships,
        closed_dms: ClosedDms,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._memberships = memberships
        self._closed_dms = closed_dms

    async def settings(
        self,
        guild_id: int,
        user_id: int,
        cohort_name: str | None,
        *,
        nudges: bool | None = None,
        nudge_time: str | None = None,
        timezone: str | None = None,
        show_on_leaderboard: bool | None = None,
        stage_roles: bool | None = None,
    ) -> SettingsView:
        """Change the given preferences (all validated first) and return the result."""
        own_time = own_zone = ...  # Ellipsis: "not given"
        if nudge_time is not None:
            own_time = (
                None if nudge_time.strip().casefold() in DEFAULT_WORDS else v.parse_hhmm(nudge_time, Text("nudge time"))
            )
        if timezone is not None:
            own_zone = None if timezone.strip().casefold() in DEFAULT_WORDS else v.parse_timezone(timezone)
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            caller.remember(session, membership)
            if own_time is not ...:
                membership.nudge_time = own_time  # type: ignore[assignment]
            if own_zone is not ...:
                membership.timezone = own_zone  # type: ignore[assignment]
            if nudges is not None:
                membership.nudges_enabled = nudges
            wanted_before = wants_stage_roles(membership)
            if show_on_leaderboard is not None:
                membership.show_on_leaderboard = show_on_leaderboard
            if stage_roles is not None:
                membership.wants_stage_roles = stage_roles
            # Asking for nudges by hand is the member coming back: DMs are worth a new try.
            if nudges:
                membership.dm_closed_at = None
                await self._closed_dms.discard(guild_id, user_id)
            changed = nudges is not None or own_time is not ... or own_zone is not ...
            sync_nudge_timer(membership, cohort, self._clock.now(), reschedule=changed)
            view = _view(cohort, membership)
            if view.stage_roles != wanted_before:
                finished = await self._finished_stages(session, cohort, membership) if view.stage_roles else ()
                view = replace(view, stage_roles_changed=view.stage_roles, finished_stages=finished)
            await session.commit()
            return view

    async def _finished_stages(self, session: AsyncSession, cohort: Cohort, membership: Membership) -> tuple[str, ...]:
        """The stages the member finished (bot.services.progress.journey's one rule), whose roles are due."""
        covered = set(
            await session.scalars(
                select(ProgressEvent.topic_id).where(ProgressEvent.membership_id == membership.id).distinct()
            )
        )
        roadmap = self._memberships.roadmap_of(cohort)
        return tuple(stage.id for stage in roadmap.stages if stage_finished(stage, covered))

    async def stop_nudges(self, membership_id: int, user_id: int) -> Cohort:
        """The Stop nudges button."""
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_for_button(session, membership_id, user_id)
            membership.nudges_enabled = False
            sync_nudge_timer(membership, cohort, self._clock.now())
            await session.commit()
            return cohort

    async def check_in(
        self, guild_id: int, user_id: int, cohort_name: str | None, minutes: int | None, note: str | None
    ) -> CheckInResult:
        """Record "I studied today" for /checkin."""
        minutes, note = self._validate(minutes, note)
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            caller.remember(session, membership)
            return await self._check_in(session, cohort, membership, minutes, note)

    async def check_in_from_nudge(self, membership_id: int, user_id: int) -> CheckInResult:
        """The Studied today button."""
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_for_button(session, membership_id, user_id)
            return await self._check_in(session, cohort, membership, None, None)

    @staticmethod
    def _validate(minutes: int | None, note: str | None) -> tuple[int | None, str | None]:
        if minutes is not None and not 1 <= minutes <= MAX_CHECKIN_MINUTES:
            raise InvalidInput(
                Text(
                    "`{minutes}` minutes is not accepted: give a number from 1 to {MAX_CHECKIN_MINUTES}.",
                    minutes=minutes,
                    MAX_CHECKIN_MINUTES=MAX_CHECKIN_MINUTES,
                )
            )
        return minutes, v.validate_note(note)

    async def _check_in(
        self, session: AsyncSession, cohort: Cohort, membership: Membership, minutes: int | None, note: str | None
    ) -> CheckInResult:
        if cohort.archived:
            raise Conflict(Text("The cohort **{cohort}** is archived: check-ins are closed.", cohort=md(cohort.name)))
        now = self._clock.now()
        timezone = member_timezone(membership, cohort)
        today = local_date(now, timezone)
        # A day has 1,440 minutes, check-ins and study rooms together (bot.services.study.rules).
        minutes_before = (await study_time(session, membership.id, timezone, now)).minutes_on(today)
        if minutes and minutes_before + minutes > MAX_CHECKIN_MINUTES:
            raise InvalidInput(
                Text(
                    "You already studied {before} minutes today (check-ins and the study room together); "
                    "a day has {MAX_CHECKIN_MINUTES}, so at most {left} more.",
                    before=minutes_before,
                    MAX_CHECKIN_MINUTES=MAX_CHECKIN_MINUTES,
                    left=MAX_CHECKIN_MINUTES - minutes_before,
                )
            )
        session.add(CheckIn(membership_id=membership.id, at=now, minutes=minutes, note=note))
        await session.flush()
        minutes_today = minutes_before + (minutes or 0)
        streak = await member_streak(session, membership.id, timezone, now, await paused_days(session, cohort.id))
        await session.commit()
        return CheckInResult(cohort, streak, minutes_today)

    async def reopen_dms(self, guild_id: int, user_id: int) -> int:
        """A member who closed their DMs used a command: nudge them again. Returns how many memberships."""
        if not await self._closed_dms.contains(guild_id, user_id):
            return 0  # the common case, answered from memory
        await self._closed_dms.discard(guild_id, user_id)
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Cohort, Membership)
                    .join(Membership, Membership.cohort_id == Cohort.id)
                    .where(
                        Cohort.guild_id == guild_id,
                        Membership.user_id == user_id,
                        Membership.dm_closed_at.is_not(None),
                    )
                )
            ).all()
            for cohort, membership in rows:
                membership.dm_closed_at = None
                membership.dm_notice_pending = False
                sync_nudge_timer(membership, cohort, self._clock.now())
            if rows:
                await session.commit()
            return len(rows)
