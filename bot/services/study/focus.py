"""Focus timers (`/focus`): pomodoro cycles kept as database rows, rung by the scheduler.

- A timer belongs to a cohort with focus on. Started in the cohort's study room it is a group timer:
  others in the room join it (its bells go to the room's text chat, pinging only who joined); anywhere
  else it is private (its bells by DM).
- A member is in at most one running timer in a server; /focus stop takes them out, and a timer nobody
  is in ends.
- Ringing a bell is a compare-and-set on `bells_rung`: each bell rings once, whichever process or restart
  gets there first. A bell due while the bot was away still counts its round, and the latest of them is
  announced (marked late).
- A finished focus round is written to study_sessions (source "focus") for everyone in the timer when it
  ended, from when they joined; bot.services.study.rules counts it as it counts the room, and a minute
  both cover once. A round left before its end counts nothing. Leaving the cohort, turning focus off and
  archiving end a member's or the cohort's timers (end_focus).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import i18n
from bot.db.models import Cohort, FocusParticipant, FocusTimer, Membership, StudySession
from bot.i18n import Text
from bot.services import caller
from bot.services.clock import Clock
from bot.services.errors import Conflict, NotAllowed, NotFound
from bot.services.progress.memberships import Memberships
from bot.services.study.focus_rows import end_empty, end_focus
from bot.services.study.pomodoro import BREAK_MINUTES, FOCUS_MINUTES, LATE, ROUNDS, Bell, Cycle
from bot.services.validation import check_range
from bot.usertext import channel_mention, md

_P = FocusParticipant


@dataclass(frozen=True, slots=True)
class FocusView:
    """A running timer as its member sees it: which, where, its timeline, how many are in it."""

    timer_id: int
    cohort: Cohort
    room_id: int | None  # a group timer's room; None: private
    cycle: Cycle
    rung: int
    people: int
    joined: bool  # the member joined a timer that was running (rather than starting one)


@dataclass(frozen=True, slots=True)
class Stopped:
    """A member's way out of a timer: the focus rounds it counted for them, and whether it ended."""

    cohort: Cohort
    rounds: int
    minutes: int
    ended: bool


@dataclass(frozen=True, slots=True)
class BellJob:
    """A bell to announce: the latest of a timer's bells that rang in one pass (`late`: past LATE)."""

    timer_id: int
    guild_id: int
    cohort_name: str
    room_id: int | None
    cycle: Cycle
    bell: Bell
    late: bool
    user_ids: tuple[int, ...]  # who was in it when it rang: the only ones its message may ping
    language: str
    dm_channel_id: int | None = None  # a private timer's member's known DM channel
    membership_id: int | None = None  # a private timer's member


def _cycle(timer: FocusTimer) -> Cycle:
    return Cycle(timer.started_at, timer.focus_minutes, timer.break_minutes, timer.rounds)


class FocusService:
    """Start, join and stop focus timers, and ring what is due."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], memberships: Memberships, clock: Clock) -> None:
        self._sessions = sessions
        self._memberships = memberships
        self._clock = clock

    async def start(
        self,
        guild_id: int,
        user_id: int,
        cohort_name: str | None,
        focus_minutes: int,
        break_minutes: int,
        rounds: int,
        in_room: int | None,
    ) -> FocusView:
        """`/focus start`: a new timer, or, in the cohort's study room while a group timer runs there, that
        one (its own lengths kept). `in_room`: the voice channel the member counts as present in, if the
        bot may post in its chat."""
        check_range(focus_minutes, *FOCUS_MINUTES, Text("minutes"))
        check_range(break_minutes, *BREAK_MINUTES, Text("break"))
        check_range(rounds, *ROUNDS, Text("rounds"))
        now = self._clock.now()
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            caller.remember(session, membership)
            _check_focus_on(cohort)
            await _check_free(session, guild_id, user_id)
            room = in_room if in_room is not None and in_room == cohort.study_room_id else None
            timer = None
            if room is not None:
                timer = await session.scalar(
                    select(FocusTimer).where(
                        FocusTimer.cohort_id == cohort.id, FocusTimer.room_id == room, FocusTimer.ended_at.is_(None)
                    )
                )
            joined = timer is not None
            if timer is None:
                cycle = Cycle(now, focus_minutes, break_minutes, rounds)
                timer = FocusTimer(
                    cohort_id=cohort.id,
                    guild_id=guild_id,
                    room_id=room,
                    focus_minutes=focus_minutes,
                    break_minutes=break_minutes,
                    rounds=rounds,
                    started_at=now,
                    bells_rung=0,
                    next_bell_at=cycle.next_after(0),
                )
                session.add(timer)
                await session.flush()
            return await self._enter(session, cohort, membership, timer, now, joined=joined)

    async def join(self, timer_id: int, guild_id: int, user_id: int, in_room: int | None) -> FocusView:
        """The Join button of a group timer: a member of its cohort, in its room, not in another timer."""
        now = self._clock.now()
        async with self._sessions() as session:
            timer = await session.get(FocusTimer, timer_id)
            if timer is None or timer.ended_at is not None or timer.guild_id != guild_id:
                raise Conflict(Text("This focus timer has ended. `/focus start` starts a new one."))
            cohort = await session.get(Cohort, timer.cohort_id)
            assert cohort is not None
            membership = await self._memberships.active_in(session, cohort, user_id)
            caller.remember(session, membership)
            _check_focus_on(cohort)
            if timer.room_id is None or in_room != timer.room_id:
                raise NotAllowed(
                    Text(
                        "This group timer is for who is in {room}: join the room first, then press Join again.",
                        room=channel_mention(timer.room_id or 0),
                    )
                )
            await _check_free(session, guild_id, user_id)
            return await self._enter(session, cohort, membership, timer, now, joined=True)

    async def _enter(
        self,
        session: AsyncSession,
        cohort: Cohort,
        membership: Membership,
        timer: FocusTimer,
        now: datetime,
        *,
        joined: bool,
    ) -> FocusView:
        session.add(_P(timer_id=timer.id, membership_id=membership.id, user_id=membership.user_id, joined_at=now))
        try:
            await session.flush()
        except IntegrityError:  # a second press that raced the first: the unique index held
            raise _busy() from None
        people = await session.scalar(select(func.count()).where(_P.timer_id == timer.id, _P.left_at.is_(None)))
        view = FocusView(timer.id, cohort, timer.room_id, _cycle(timer), timer.bells_rung, people or 0, joined)
        await session.commit()
        return view

    async def stop(self, guild_id: int, user_id: int) -> Stopped:
        """`/focus stop`: out of the running timer (it ends when nobody is left); what it counted for them."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(_P, Cohort)
                    .join(FocusTimer, FocusTimer.id == _P.timer_id)
                    .join(Cohort, Cohort.id == FocusTimer.cohort_id)
                    .where(_P.user_id == user_id, _P.left_at.is_(None), FocusTimer.guild_id == guild_id)
                )
            ).first()
            if row is None:
                raise NotFound(Text("You are not in a focus timer. `/focus start` starts one."))
            participant, cohort = row
            participant.left_at = now
            await session.flush()
            ended = await end_empty(session, [participant.timer_id], now)
            rounds = [
                (end - start).total_seconds()
                for start, end in await session.execute(
                    select(StudySession.started_at, StudySession.ended_at).where(
                        StudySession.membership_id == participant.membership_id,
                        StudySession.source == "focus",
                        StudySession.started_at >= participant.joined_at,
                    )
                )
                if end is not None
            ]
            await session.commit()
            return Stopped(cohort, len(rounds), int(sum(rounds) // 60), ended)

    async def next_due(self) -> datetime | None:
        """When the earliest bell of any running timer rings (for the clock that sleeps until then)."""
        async with self._sessions() as session:
            return await session.scalar(select(func.min(FocusTimer.next_bell_at)))

    async def ring_due(self, limit: int = 50) -> list[BellJob]:
        """Ring every bell due now, each once: record the rounds they end, and return one announcement per
        timer (its latest bell). Timers nobody is in, or whose cohort turned focus off, end silently."""
        now = self._clock.now()
        jobs: list[BellJob] = []
        async with self._sessions() as session:
            timers = list(
                await session.scalars(
                    select(FocusTimer)
                    .where(FocusTimer.next_bell_at <= now)
                    .order_by(FocusTimer.next_bell_at)
                    .limit(limit)
                )
            )
            for timer in timers:
                job = await self._ring(session, timer, now)
                if job is not None:
                    jobs.append(job)
            await session.commit()
        return jobs

    async def _ring(self, session: AsyncSession, timer: FocusTimer, now: datetime) -> BellJob | None:
        cycle = _cycle(timer)
        due = cycle.due(timer.bells_rung, now)
        if not due:
            return None
        rung = due[-1].number + 1
        over = rung >= cycle.bells
        claimed = await session.execute(
            update(FocusTimer)
            .where(FocusTimer.id == timer.id, FocusTimer.bells_rung == timer.bells_rung)
            .values(bells_rung=rung, next_bell_at=cycle.next_after(rung), ended_at=cycle.ends_at if over else None)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None  # another process rang it
        cohort = await session.get(Cohort, timer.cohort_id)
        people = (
            await session.execute(
                select(_P.id, _P.joined_at, Membership)
                .join(Membership, Membership.id == _P.membership_id)
                .where(_P.timer_id == timer.id, _P.left_at.is_(None), Membership.left_at.is_(None))
            )
        ).all()
        if cohort is None or cohort.archived or not cohort.focus or not people:
            await end_focus(session, _P.timer_id == timer.id, now)
            ended = {"ended_at": now, "next_bell_at": None}
            await session.execute(update(FocusTimer).where(FocusTimer.id == timer.id).values(**ended))
            return None
        for bell in due:
            if bell.ends_focus:
                await _record_round(session, cohort, cycle, bell, people)
        if over:
            everyone = update(_P).where(_P.timer_id == timer.id, _P.left_at.is_(None))
            await session.execute(everyone.values(left_at=cycle.ends_at))
        first = people[0].Membership
        private = timer.room_id is None
        return BellJob(
            timer.id,
            timer.guild_id,
            cohort.name,
            timer.room_id,
            cycle,
            due[-1],
            now - due[-1].at > LATE,
            tuple(p.Membership.user_id for p in people),
            i18n.language_for((first.locale if private else None) or cohort.locale),
            first.dm_channel_id if private else None,
            first.id if private else None,
        )


async def _record_round(session: AsyncSession, cohort: Cohort, cycle: Cycle, bell: Bell, people: list) -> None:
    """The round `bell` ends, as study time of everyone in the timer then, each from when they joined
    (on the topic they are on now: the round is written as it ends)."""
    start, end = cycle.round_span(bell.round)
    for person in people:
        begin = max(start, person.joined_at)
        if begin >= end:
            continue
        member: Membership = person.Membership
        await session.execute(
            insert(StudySession).values(
                membership_id=member.id,
                cohort_id=cohort.id,
                guild_id=cohort.guild_id,
                topic_id=member.current_topic_id,
                stay_started_at=begin,
                started_at=begin,
                ended_at=end,
                seen_at=end,
                source="focus",
            )
        )


def _check_focus_on(cohort: Cohort) -> None:
    if cohort.archived:
        raise Conflict(Text("The cohort **{cohort}** is archived: it runs no focus timers.", cohort=md(cohort.name)))
    if not cohort.focus:
        raise Conflict(
            Text(
                "Focus timers are off in **{cohort}**: a moderator turns them on with `/cohort edit focus:on`.",
                cohort=md(cohort.name),
            )
        )


def _busy() -> Conflict:
    return Conflict(Text("You are in a focus timer already: `/focus stop` ends it, then start or join another."))


async def _check_free(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """Conflict when the member is in a running timer of the server (one at a time, whatever the cohort)."""
    busy = await session.scalar(
        select(_P.id)
        .join(FocusTimer, FocusTimer.id == _P.timer_id)
        .where(_P.user_id == user_id, _P.left_at.is_(None), FocusTimer.guild_id == guild_id)
        .limit(1)
    )
    if busy is not None:
        raise _busy()
