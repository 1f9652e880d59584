"""The Discord objects a cohort uses (a topic's thread, a stage's role) and who may create each: one
object per (cohort, kind, key), however many members need it at the same moment, in however many
processes. No Discord here: bot.discord_side.threads and bot.discord_side.roles create the objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CohortLink
from bot.db.upsert import insert_unless_taken
from bot.services.clock import Clock

THREAD = "thread"  # key: a topic id
STAGE_ROLE = "stage-role"  # key: a stage id
STAGE_EVENT = "stage-event"  # key: a stage id (a Discord scheduled event at the stage's start)

# A claim whose object was not recorded by then belongs to a process that died while creating it.
CLAIM_EXPIRES = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class LinkClaim:
    """`discord_id`: the object, when it exists. `mine`: this caller may create it (then it records it
    with `made`, or gives the claim back with `release`)."""

    discord_id: int | None
    mine: bool


@dataclass(frozen=True, slots=True)
class Replaced:
    """An object a moderator's pick took the place of: `made_by_bot` (the bot created it, so it deletes
    it) or a moderator's earlier pick (the bot takes back only what it gave of it)."""

    discord_id: int
    made_by_bot: bool


class CohortLinkService:
    """Claims and records of a cohort's Discord objects."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    @staticmethod
    def _row(cohort_id: int, kind: str, key: str) -> tuple:
        return (CohortLink.cohort_id == cohort_id, CohortLink.kind == kind, CohortLink.key == key)

    async def claim(self, cohort_id: int, kind: str, key: str) -> LinkClaim:
        """The object, or the right to create it, or neither while someone else is creating it. Read
        first: once the object exists (every /done after the first to reach a topic), nothing is written."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.scalar(select(CohortLink).where(*self._row(cohort_id, kind, key)))
            if row is None:
                taken = await session.scalar(
                    insert_unless_taken(session, CohortLink, ["cohort_id", "kind", "key"])
                    .values(cohort_id=cohort_id, kind=kind, key=key, discord_id=None, claimed_at=now)
                    .returning(CohortLink.id)
                )
                await session.commit()
                if taken is not None:
                    return LinkClaim(None, mine=True)
                row = await session.scalar(select(CohortLink).where(*self._row(cohort_id, kind, key)))
            if row is None or row.discord_id is not None:
                return LinkClaim(row.discord_id if row else None, mine=False)
            if row.claimed_at > now - CLAIM_EXPIRES:
                return LinkClaim(None, mine=False)
            moved = await session.execute(
                update(CohortLink)
                .where(CohortLink.id == row.id, CohortLink.claimed_at == row.claimed_at)
                .values(claimed_at=now)
            )
            await session.commit()
            return LinkClaim(None, mine=moved.rowcount == 1)

    async def made(self, cohort_id: int, kind: str, key: str, discord_id: int) -> bool:
        """Record the object the claimer created: False when a moderator's pick took its place meanwhile
        (the pick stands; the object created is left unused)."""
        async with self._sessions() as session:
            recorded = await session.execute(
                update(CohortLink)
                .where(*self._row(cohort_id, kind, key), CohortLink.discord_id.is_(None))
                .values(discord_id=discord_id)
            )
            await session.commit()
        return recorded.rowcount == 1

    async def release(self, cohort_id: int, kind: str, key: str) -> None:
        """Give a claim back (the object could not be created): the next one to need it tries again."""
        async with self._sessions() as session:
            await session.execute(
                delete(CohortLink).where(*self._row(cohort_id, kind, key), CohortLink.discord_id.is_(None))
            )
            await session.commit()

    async def gone(self, cohort_id: int, kind: str, key: str, discord_id: int) -> LinkClaim:
        """The object was deleted on Discord: forget it and claim it again."""
        async with self._sessions() as session:
            forgot = await session.execute(
                update(CohortLink)
                .where(*self._row(cohort_id, kind, key), CohortLink.discord_id == discord_id)
                .values(discord_id=None, chosen=False, claimed_at=self._clock.now())
            )
            await session.commit()
        return LinkClaim(None, mine=forgot.rowcount == 1)

    async def drop(self, cohort_id: int, kind: str, key: str) -> None:
        """Forget an object the cohort no longer uses (deleted on Discord by the caller)."""
        async with self._sessions() as session:
            await session.execute(delete(CohortLink).where(*self._row(cohort_id, kind, key)))
            await session.commit()

    async def choose(self, cohort_id: int, kind: str, key: str, discord_id: int) -> Replaced | None:
        """A moderator's pick, in place of whatever was there. Returns what it replaced, for the caller
        to undo on Discord; None when nothing or the same object was there."""
        async with self._sessions() as session:
            before = await session.scalar(select(CohortLink).where(*self._row(cohort_id, kind, key)))
            replaced = None
            if before is not None and before.discord_id is not None and before.discord_id != discord_id:
                replaced = Replaced(before.discord_id, made_by_bot=not before.chosen)
            await session.execute(delete(CohortLink).where(*self._row(cohort_id, kind, key)))
            session.add(
                CohortLink(
                    cohort_id=cohort_id,
                    kind=kind,
                    key=key,
                    discord_id=discord_id,
                    chosen=True,
                    claimed_at=self._clock.now(),
                )
            )
            await session.commit()
        return replaced

    async def known(self, cohort_ids: Iterable[int], kind: str) -> dict[tuple[int, str], int]:
        """The recorded objects of one kind of these cohorts, by (cohort id, key)."""
        ids = set(cohort_ids)
        if not ids:
            return {}  # no session either
        async with self._sessions() as session:
            return await known_in(session, ids, kind)


async def known_in(session: AsyncSession, cohort_ids: set[int], kind: str) -> dict[tuple[int, str], int]:
    """`CohortLinkService.known` inside a caller's session (the nudge claims read it in theirs). No
    cohorts, no query: a batch of nudges from cohorts without threads costs nothing here."""
    if not cohort_ids:
        return {}
    rows = await session.execute(
        select(CohortLink.cohort_id, CohortLink.key, CohortLink.discord_id).where(
            CohortLink.cohort_id.in_(cohort_ids), CohortLink.kind == kind, CohortLink.discord_id.is_not(None)
        )
    )
    return {(cohort_id, key): discord_id for cohort_id, key, discord_id in rows}


def made_roles_statement(cohort_ids: Iterable[int]):  # noqa: ANN201 - a Select
    """The ids of the stage roles the bot created for these cohorts (not those a moderator picked)."""
    return select(CohortLink.discord_id).where(
        CohortLink.cohort_id.in_(list(cohort_ids)),
        CohortLink.kind == STAGE_ROLE,
        CohortLink.chosen.is_(False),
        CohortLink.discord_id.is_not(None),
    )


def forget_statement(cohort_id: int, kind: str | None = None):  # noqa: ANN201 - a Delete
    """Delete a cohort's links (of one kind): the objects stay on Discord, the cohort stops using them."""
    statement = delete(CohortLink).where(CohortLink.cohort_id == cohort_id)
    return statement if kind is None else statement.where(CohortLink.kind == kind)
