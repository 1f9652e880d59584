"""Planned breaks of a cohort (`/cohort pause`, `/cohort unpause`): added, corrected and removed by the
cohort's moderators. A break is a run of dates of the cohort's calendar (bot.services.progress.pace): no nudges,
no study days, streaks wait. What has happened stays as it happened: days already past keep what they
were (their nudges went out or did not, pace was shown), so a break that has begun can only be ended
early or made longer, and a break that is over no longer changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, CohortPause
from bot.i18n import Text
from bot.roadmap import RoadmapCatalog
from bot.services import validation as v
from bot.services.authority import Authority
from bot.services.clock import Clock
from bot.services.cohorts.registry import CohortService
from bot.services.cohorts.schedule import local_date
from bot.services.errors import Conflict, InvalidInput, NotFound
from bot.services.progress.pace import CohortCalendar
from bot.services.progress.streaks import paused_days
from bot.services.topics import cohort_roadmap
from bot.usertext import md

MAX_PAUSE_DAYS = 90


@dataclass(frozen=True, slots=True)
class BreakChange:
    """What a change of the breaks did: `kind` is "added", "changed", "ended" (a running break ended
    early, its past days kept) or "removed"; `start`/`end` the break's days now (for "removed", as it
    was); the calendar's last day before and after."""

    cohort: Cohort
    kind: str
    start: date
    end: date
    last_day_before: date | None
    last_day_after: date | None
    previous: tuple[date, date] | None = None  # a changed break's days before the change


class BreakService:
    """Adds, changes and removes a cohort's planned breaks, for its moderators."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], roadmaps: RoadmapCatalog, clock: Clock, cohorts: CohortService
    ) -> None:
        self._sessions = sessions
        self._roadmaps = roadmaps
        self._clock = clock
        self._cohorts = cohorts

    async def breaks(self, guild_id: int, cohort_name: str) -> list[tuple[date, date]]:
        """The cohort's breaks, first first (autocomplete: no authority asked, nothing changes)."""
        async with self._sessions() as session:
            cohort = await self._cohorts.find_in(session, guild_id, cohort_name)
            return await breaks_of(session, cohort.id)

    async def pause(
        self, guild_id: int, cohort_name: str, start: str, end: str, by: Authority, replace: str | None = None
    ) -> BreakChange:
        """Add a break (both days included), or with `replace` (the first day of one of the cohort's breaks)
        change that break to these days. Not before the cohort starts, not in the past (a running break
        keeps its first day), at most two years ahead, overlapping no other break."""
        async with self._sessions() as session:
            cohort = await self._cohorts.find_moderated(session, guild_id, cohort_name, by)
            _ensure_open(cohort)
            today = local_date(self._clock.now(), cohort.timezone)
            first, last = _break_days(start, end, today)
            replaced = await self._find(session, cohort, replace) if replace else None
            if replaced is not None:
                _ensure_not_over(cohort, replaced, today)
            running = replaced is not None and replaced.start_date < today
            if first < cohort.start_date:
                raise InvalidInput(
                    Text(
                        "**{cohort}** starts on {start}: a break must begin on or after that day.",
                        cohort=md(cohort.name),
                        start=cohort.start_date.isoformat(),
                    )
                )
            if running and replaced is not None and first != replaced.start_date:
                raise InvalidInput(
                    Text(
                        "The break {start} → {end} has begun: its first day stays {start}. "
                        "Give `from:{start}` and the new last day, or end it with `/cohort unpause`.",
                        start=replaced.start_date.isoformat(),
                        end=replaced.end_date.isoformat(),
                    )
                )
            if running and last < today - timedelta(days=1):
                raise InvalidInput(
                    Text(
                        "Days already past stay as they were: the break can end yesterday ({yesterday}) "
                        "at the earliest.",
                        yesterday=(today - timedelta(days=1)).isoformat(),
                    )
                )
            if not running and first < today:
                # Those days' nudges went out and their pace was shown: a break cannot be put behind us.
                raise InvalidInput(
                    Text(
                        "A break cannot begin in the past: today is {today} in **{cohort}**'s timezone. "
                        "Start it today or later.",
                        today=today.isoformat(),
                        cohort=md(cohort.name),
                    )
                )
            await self._refuse_overlap(session, cohort, first, last, replaced)
            before = await self._last_day(session, cohort)
            previous = (replaced.start_date, replaced.end_date) if replaced is not None else None
            if replaced is None:
                session.add(
                    CohortPause(
                        cohort_id=cohort.id,
                        start_date=first,
                        end_date=last,
                        created_by=by.user_id,
                        created_at=self._clock.now(),
                    )
                )
            else:
                replaced.start_date, replaced.end_date = first, last
            await session.flush()
            after = await self._last_day(session, cohort)
            await session.commit()
        kind = "added" if replaced is None else "changed"
        return BreakChange(cohort, kind, first, last, before, after, previous)

    async def unpause(self, guild_id: int, cohort_name: str, which: str, by: Authority) -> BreakChange:
        """Remove a break that has not begun, or end a running one yesterday (its past days stay)."""
        async with self._sessions() as session:
            cohort = await self._cohorts.find_moderated(session, guild_id, cohort_name, by)
            _ensure_open(cohort)
            today = local_date(self._clock.now(), cohort.timezone)
            found = await self._find(session, cohort, which)
            _ensure_not_over(cohort, found, today)
            before = await self._last_day(session, cohort)
            start, end = found.start_date, found.end_date
            if start < today:
                found.end_date = end = today - timedelta(days=1)
                kind = "ended"
            else:
                await session.delete(found)
                kind = "removed"
            await session.flush()
            after = await self._last_day(session, cohort)
            await session.commit()
        return BreakChange(cohort, kind, start, end, before, after)

    async def _find(self, session: AsyncSession, cohort: Cohort, which: str) -> CohortPause:
        """The cohort's break that begins on `which` (YYYY-MM-DD, as autocomplete offers it)."""
        day = v.parse_date(which.strip()[:10], Text("break"))
        found = await session.scalar(
            select(CohortPause).where(CohortPause.cohort_id == cohort.id, CohortPause.start_date == day)
        )
        if found is None:
            known = ", ".join(f"{s.isoformat()} → {e.isoformat()}" for s, e in await breaks_of(session, cohort.id))
            raise NotFound(
                Text(
                    "**{cohort}** has no break beginning on {day}. Its breaks: {breaks}.",
                    cohort=md(cohort.name),
                    day=day.isoformat(),
                    breaks=known or Text("none"),
                )
            )
        return found

    async def _refuse_overlap(
        self, session: AsyncSession, cohort: Cohort, first: date, last: date, replaced: CohortPause | None
    ) -> None:
        query = select(CohortPause).where(
            CohortPause.cohort_id == cohort.id, CohortPause.start_date <= last, CohortPause.end_date >= first
        )
        if replaced is not None:
            query = query.where(CohortPause.id != replaced.id)
        clash = await session.scalar(query.order_by(CohortPause.start_date).limit(1))
        if clash is not None:
            raise Conflict(
                Text(
                    "**{cohort}** already has a break {start} → {end}, which overlaps this one. Pick days outside it.",
                    cohort=md(cohort.name),
                    start=clash.start_date.isoformat(),
                    end=clash.end_date.isoformat(),
                )
            )

    async def _last_day(self, session: AsyncSession, cohort: Cohort) -> date | None:
        paused = await paused_days(session, cohort.id)
        calendar = CohortCalendar.build(cohort_roadmap(self._roadmaps, cohort), cohort.start_date, cohort.pace, paused)
        try:
            return calendar.last_day
        except OverflowError:
            return None


async def breaks_of(session: AsyncSession, cohort_id: int) -> list[tuple[date, date]]:
    """The cohort's breaks (first and last day), first first, in a caller's session."""
    rows = await session.execute(
        select(CohortPause.start_date, CohortPause.end_date)
        .where(CohortPause.cohort_id == cohort_id)
        .order_by(CohortPause.start_date)
    )
    return [(start, end) for start, end in rows]


def _ensure_open(cohort: Cohort) -> None:
    if cohort.archived:
        raise Conflict(
            Text("The cohort **{cohort}** is archived: its calendar no longer changes.", cohort=md(cohort.name))
        )


def _ensure_not_over(cohort: Cohort, found: CohortPause, today: date) -> None:
    if found.end_date < today:
        raise Conflict(
            Text(
                "The break {start} → {end} of **{cohort}** is over: its days stay in the calendar as they were.",
                start=found.start_date.isoformat(),
                end=found.end_date.isoformat(),
                cohort=md(cohort.name),
            )
        )


def _break_days(start: str, end: str, today: date) -> tuple[date, date]:
    """The first and last day of a break as typed: real dates, in order, at most MAX_PAUSE_DAYS apart."""
    first = v.parse_calendar_date(start, Text("`from` date"), today)
    last = v.parse_calendar_date(end, Text("`to` date"), today)
    if last < first:
        raise InvalidInput(
            Text(
                "The break ends ({last}) before it starts ({first}): `to` must be on or after `from`.",
                last=last,
                first=first,
            )
        )
    if (last - first).days + 1 > MAX_PAUSE_DAYS:
        raise InvalidInput(
            Text(
                "A break can be at most {MAX_PAUSE_DAYS} days; split longer ones or change the start date.",
                MAX_PAUSE_DAYS=MAX_PAUSE_DAYS,
            )
        )
    return first, last
