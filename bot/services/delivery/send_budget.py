"""The whole bot's request budget for Discord's global limit, kept in the database every process shares.

Discord counts its global limit (50 requests a second) per bot, not per process. Each
process asks this table for its next send slots: one short transaction moves the bot's one clock,
`send_budget.next_at`, on by as many slots as it takes and answers where they start. Slots are spaced
evenly for the whole bot, so processes that send together share the limit, and one that sends alone
gets all of it. A global 429 moves the clock past its `retry_after` for every process.

Times are seconds since the epoch on the database's clock, read while each statement runs: on
PostgreSQL the server's (processes on several machines, whose clocks may disagree), on SQLite this
machine's (one file: one machine). `Slots.times()` turns them into this process's monotonic time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Float, case, cast, extract, func, literal_column, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import SendBudget as Budget

# The longest a global 429 may hold the budget. Discord's are seconds; discord.py still waits out a
# longer one in the process that received it.
MAX_AHEAD = 60.0
BOT = "discord"  # the one budget there is: Discord's global limit for this bot's token
_T = Budget.__table__.c


@dataclass(frozen=True, slots=True)
class Slots:
    """`count` slots `interval` seconds apart; the first at `first` on the budget's clock, which was
    `now` at `seen` on this process's monotonic clock."""

    first: float
    now: float
    seen: float
    count: int
    interval: float

    def times(self) -> list[float]:
        """The slots on this process's monotonic clock."""
        start = self.seen + (self.first - self.now)
        return [start + i * self.interval for i in range(self.count)]


# The budget's clock, read by the database while the statement runs, so a claim that waited for its
# connection still starts from the present. On SQLite: this machine's wall clock to the millisecond.
_SQLITE_NOW = literal_column("(julianday('now') - 2440587.5) * 86400.0", Float)
_POSTGRES_NOW = cast(extract("epoch", func.clock_timestamp()), Float)


class SendBudgetService:
    """Claims send slots and holds the whole bot back after a global 429."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._postgres = sessions.kw["bind"].dialect.name == "postgresql"
        self._now = _POSTGRES_NOW if self._postgres else _SQLITE_NOW

    async def claim(self, count: int, interval: float) -> Slots:
        """The next `count` slots of the bot's budget at one every `interval` seconds."""
        now = self._now
        # A budget booked further ahead than any hold can reach means the clock was set back: start
        # from the present rather than stop sending until the clock catches up.
        start = case((_T.next_at > now + MAX_AHEAD, now), (_T.next_at > now, _T.next_at), else_=now)
        moved = (
            update(Budget)
            .where(_T.name == BOT)
            .values(next_at=start + count * interval)
            .returning(_T.next_at, now.label("now"))
        )
        async with self._sessions.begin() as session:
            await session.connection()  # a wait for the pool stays outside the trip timed below
            sent = time.monotonic()
            ends, db_now = (await session.execute(moved)).one()  # the row comes with migration 0009
            answered = time.monotonic()
        # PostgreSQL: another machine's clock, read somewhere in the trip; the middle is the best guess
        # (off by at most half a round trip). SQLite: this machine's clock, so exactly when that was.
        seen = (sent + answered) / 2 if self._postgres else time.monotonic() - (time.time() - db_now)
        return Slots(first=ends - count * interval, now=db_now, seen=seen, count=count, interval=interval)

    async def hold(self, seconds: float) -> None:
        """No slot for anyone before `seconds` from now (Discord said so with a global 429)."""
        until = self._now + min(seconds, MAX_AHEAD)
        held = update(Budget).where(_T.name == BOT).values(next_at=case((_T.next_at > until, _T.next_at), else_=until))
        async with self._sessions.begin() as session:
            await session.execute(held)
