"""Who is in a cohort's study room now: voice changes open and close study_sessions rows, a restart
reconciles the rows with the voice states Discord lists, and a topic change splits an open row.

The rows are the truth, the process only a witness: `keep_alive` writes the moment the bot last saw
each open stay, so a restart ends a stay it cannot vouch for where it last saw it (bot.services.study.rules
has the rules; RESTART_GRACE how long a restart may be and still not end a stay)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot.db.models import Cohort, Membership, StudySession
from bot.services.clock import Clock
from bot.services.study.rules import RESTART_GRACE

_ROWS = StudySession.__table__
_OPEN = select(_ROWS.c.id, _ROWS.c.stay_started_at, _ROWS.c.cohort_id, _ROWS.c.guild_id)


@dataclass(frozen=True, slots=True)
class Reconciled:
    """What a reconciliation changed: stays ended, stays begun, stays carried across a restart."""

    ended: int = 0
    begun: int = 0
    kept: int = 0


def switch_topic(session: Session, membership_id: int, topic_id: str | None, now: datetime) -> None:
    """The member's topic changed at `now`: an open stay goes on, its minutes from now on the new topic.
    Synchronous, inside the caller's transaction (it runs in /done's group commit too)."""
    row = session.execute(_OPEN.where(_ROWS.c.membership_id == membership_id, _ROWS.c.ended_at.is_(None))).first()
    if row is None:
        return
    session.execute(update(_ROWS).where(_ROWS.c.id == row.id).values(ended_at=now, seen_at=now))
    session.execute(
        insert(_ROWS).values(
            membership_id=membership_id,
            cohort_id=row.cohort_id,
            guild_id=row.guild_id,
            topic_id=topic_id,
            stay_started_at=row.stay_started_at,
            started_at=now,
            seen_at=now,
        )
    )


async def end_stays(session: AsyncSession, where: ColumnElement[bool], at: datetime) -> int:
    """End the open stays `where` selects at `at` (a member left the cohort, study time was turned off,
    the room moved, the cohort was archived). Inside the caller's transaction."""
    result = await session.execute(
        update(_ROWS).where(_ROWS.c.ended_at.is_(None), where).values(ended_at=at, seen_at=at)
    )
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


def _rooms_of(guild_id: int):  # noqa: ANN202 - a Select
    """(cohort id, room id, membership id, user id, current topic) of every active member of a cohort of the
    guild whose study time is on."""
    return (
        select(Cohort.id, Cohort.study_room_id, Membership.id, Membership.user_id, Membership.current_topic_id)
        .join(Membership, Membership.cohort_id == Cohort.id)
        .where(
            Cohort.guild_id == guild_id,
            Cohort.study_time.is_(True),
            Cohort.study_room_id.is_not(None),
            Cohort.archived_at.is_(None),
            Membership.left_at.is_(None),
        )
    )


class StudyRooms:
    """Keeps study_sessions in step with where members are in voice."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._watched: set[int] = set()  # guilds this process reconciled: its keep_alive covers them
        # One member's changes in the order Discord sent them (a join and a quick leave must not cross);
        # striped, so the locks do not grow with the members.
        self._locks = [asyncio.Lock() for _ in range(64)]

    async def moved(self, guild_id: int, user_id: int, channel_id: int | None) -> int:
        """A member's voice state changed: `channel_id` is where they now count as present (None: not
        connected, deafened, or anywhere not a room). Opens or ends their stays; how many rows changed."""
        async with self._locks[hash((guild_id, user_id)) % len(self._locks)]:
            try:
                return await self._move(guild_id, user_id, channel_id)
            except IntegrityError:  # a reconciliation opened the same stay meanwhile: it stands
                return 0

    async def _move(self, guild_id: int, user_id: int, channel_id: int | None) -> int:
        now = self._clock.now()
        async with self._sessions() as session:
            rows = (await session.execute(_rooms_of(guild_id).where(Membership.user_id == user_id))).all()
            if not rows:
                return 0
            membership_ids = [row[2] for row in rows]
            open_ids = set(
                (
                    await session.scalars(
                        select(StudySession.membership_id).where(
                            StudySession.membership_id.in_(membership_ids), StudySession.ended_at.is_(None)
                        )
                    )
                ).all()
            )
            changed = 0
            for cohort_id, room_id, membership_id, _, topic_id in rows:
                inside = channel_id == room_id
                if inside and membership_id not in open_ids:
                    session.add(_opening(guild_id, cohort_id, membership_id, topic_id, now))
                    changed += 1
                elif not inside and membership_id in open_ids:
                    changed += await end_stays(session, StudySession.membership_id == membership_id, now)
            if changed:
                await session.commit()
            return changed

    async def reconcile(self, guild_id: int, present: Mapping[int, int], *, restarted: bool) -> Reconciled:
        """Bring the guild's open stays in line with who is in which room now (`present`: user id -> the
        channel they count as present in). After a (re)connect (`restarted`), a stay whose member is
        still in the room goes on if the bot was away at most RESTART_GRACE; otherwise it ends where the
        bot last saw it, and a member in the room now starts a new stay. Otherwise (a setting changed)
        stays that no longer qualify end now."""
        self._watched.add(guild_id)
        try:
            return await self._reconcile(guild_id, present, restarted)
        except IntegrityError:  # a voice change opened a stay meanwhile: read again, now with it
            return await self._reconcile(guild_id, present, restarted)

    async def _reconcile(self, guild_id: int, present: Mapping[int, int], restarted: bool) -> Reconciled:
        now = self._clock.now()
        ended = begun = kept = 0
        async with self._sessions() as session:
            wanted = {
                membership_id: (cohort_id, topic_id)
                for cohort_id, room_id, membership_id, user_id, topic_id in await session.execute(_rooms_of(guild_id))
                if present.get(user_id) == room_id
            }
            open_rows = (
                await session.execute(
                    select(StudySession.id, StudySession.membership_id, StudySession.seen_at).where(
                        StudySession.guild_id == guild_id, StudySession.ended_at.is_(None)
                    )
                )
            ).all()
            for row_id, membership_id, seen_at in open_rows:
                stays = membership_id in wanted and (not restarted or now - seen_at <= RESTART_GRACE)
                if stays:
                    await session.execute(update(_ROWS).where(_ROWS.c.id == row_id).values(seen_at=now))
                    wanted.pop(membership_id)
                    kept += 1
                else:
                    ended += await end_stays(session, _ROWS.c.id == row_id, seen_at if restarted else now)
            for membership_id, (cohort_id, topic_id) in wanted.items():
                session.add(_opening(guild_id, cohort_id, membership_id, topic_id, now))
                begun += 1
            await session.commit()
        return Reconciled(ended, begun, kept)

    def watch(self, guild_id: int) -> None:
        """The bot sees the guild's voice changes again (a resumed gateway replayed what it missed)."""
        self._watched.add(guild_id)

    def forget_guild(self, guild_id: int) -> None:
        """The bot left the guild (or lost it to another process): stop vouching for its stays."""
        self._watched.discard(guild_id)

    async def keep_alive(self) -> int:
        """Record that the bot still sees every open stay of the guilds it watches (each scheduler tick
        and at shutdown): a restart ends a stay no earlier than this. How many rows."""
        if not self._watched:
            return 0
        now = self._clock.now()
        touched = 0
        async with self._sessions() as session:
            for chunk in _chunks(sorted(self._watched), 500):
                result = await session.execute(
                    update(_ROWS).where(_ROWS.c.ended_at.is_(None), _ROWS.c.guild_id.in_(chunk)).values(seen_at=now)
                )
                touched += result.rowcount  # type: ignore[attr-defined]
            await session.commit()
        return touched


def _opening(guild_id: int, cohort_id: int, membership_id: int, topic_id: str | None, now: datetime) -> StudySession:
    return StudySession(
        membership_id=membership_id,
        cohort_id=cohort_id,
        guild_id=guild_id,
        topic_id=topic_id,
        stay_started_at=now,
        started_at=now,
        seen_at=now,
    )


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
