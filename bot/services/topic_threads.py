"""Which thread belongs to which topic of a cohort, and who may open it: one thread per topic, however
many members reach it at the same moment, in however many processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import TopicThread
from bot.db.upsert import insert_unless_taken
from bot.services.clock import Clock

# A claim whose thread was not recorded by then belongs to a process that died while opening it.
CLAIM_EXPIRES = timedelta(minutes=1)


# What the bot needs in a cohort's channel for topic threads, as Discord names it and as discord.py does.
THREAD_PERMISSIONS = {
    "View Channel": "view_channel",
    "Create Public Threads": "create_public_threads",
    "Send Messages in Threads": "send_messages_in_threads",
}


@dataclass(frozen=True, slots=True)
class ThreadLink:
    """What an answer says about the topic's thread: a link (`thread_id`), or what the bot lacks in
    `channel_id` to open one (`missing`), or nothing."""

    thread_id: int | None = None
    missing: tuple[str, ...] = ()
    channel_id: int | None = None


NO_THREAD = ThreadLink()


@dataclass(frozen=True, slots=True)
class ThreadClaim:
    """`thread_id`: the topic's thread, when it has one. `mine`: this caller may open it (then it
    records it with `opened`, or gives the claim back with `release`)."""

    thread_id: int | None
    mine: bool


class TopicThreadService:
    """Claims and records of topic threads. No Discord here: bot.topic_threads opens them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def claim(self, cohort_id: int, topic_id: str) -> ThreadClaim:
        """The topic's thread, or the right to open it, or neither while someone else is opening it."""
        now = self._clock.now()
        async with self._sessions() as session:
            taken = await session.scalar(
                insert_unless_taken(session, TopicThread, ["cohort_id", "topic_id"])
                .values(cohort_id=cohort_id, topic_id=topic_id, thread_id=None, claimed_at=now)
                .returning(TopicThread.id)
            )
            if taken is not None:
                await session.commit()
                return ThreadClaim(None, mine=True)
            row = await session.scalar(
                select(TopicThread).where(TopicThread.cohort_id == cohort_id, TopicThread.topic_id == topic_id)
            )
            if row is None or row.thread_id is not None:
                return ThreadClaim(row.thread_id if row else None, mine=False)
            if row.claimed_at > now - CLAIM_EXPIRES:
                return ThreadClaim(None, mine=False)
            moved = await session.execute(
                update(TopicThread)
                .where(TopicThread.id == row.id, TopicThread.claimed_at == row.claimed_at)
                .values(claimed_at=now)
            )
            await session.commit()
            return ThreadClaim(None, mine=moved.rowcount == 1)

    async def opened(self, cohort_id: int, topic_id: str, thread_id: int) -> None:
        """Record the thread the claimer opened."""
        async with self._sessions() as session:
            await session.execute(
                update(TopicThread)
                .where(TopicThread.cohort_id == cohort_id, TopicThread.topic_id == topic_id)
                .values(thread_id=thread_id)
            )
            await session.commit()

    async def release(self, cohort_id: int, topic_id: str) -> None:
        """Give a claim back (the thread could not be opened): the next member to reach it tries again."""
        async with self._sessions() as session:
            await session.execute(
                delete(TopicThread).where(
                    TopicThread.cohort_id == cohort_id,
                    TopicThread.topic_id == topic_id,
                    TopicThread.thread_id.is_(None),
                )
            )
            await session.commit()

    async def gone(self, cohort_id: int, topic_id: str, thread_id: int) -> ThreadClaim:
        """The topic's thread was deleted on Discord: forget it and claim the topic again."""
        async with self._sessions() as session:
            forgot = await session.execute(
                update(TopicThread)
                .where(
                    TopicThread.cohort_id == cohort_id,
                    TopicThread.topic_id == topic_id,
                    TopicThread.thread_id == thread_id,
                )
                .values(thread_id=None, claimed_at=self._clock.now())
            )
            await session.commit()
        return ThreadClaim(None, mine=forgot.rowcount == 1)
