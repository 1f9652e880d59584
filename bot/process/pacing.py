"""Pacing requests to Discord under its global limit, which is per bot: every process of the bot
together (`SharedPacer`, through bot.services.delivery.send_budget), or this process alone at its share when
that budget is out of reach (`Pacer`).

discord.py already obeys Discord's 429 answers; pacing keeps us from provoking them, so a large
fan-out runs at a steady pace instead of in bursts and stalls, and several processes do not send
several times the limit between them. Every request of discord.py's HTTP client is paced
(`pace_requests`): Discord counts them all, not only the fan-out's.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

import aiohttp

from bot.services.delivery.send_budget import SendBudgetService

log = logging.getLogger(__name__)

# Under the limit: requests paced exactly at it arrive bunched by network jitter, and each 429 that
# provokes is retried into the next slot, so they cascade (measured: 401 of 500). 5% under: at 98% (one
# request of slack a second) two processes sharing the budget drew 1-4 global 429s per 600 requests,
# each costing a pause; at 95%, 0-1 (bench/RESULTS.md).
PACE_HEADROOM = 0.95
# Slots a process books at once from the shared budget (~0.1 s of the whole bot's at 50/s); it keeps
# up to BOOK_AHEAD booked while it sends, so a fan-out that ends leaves at most that many unused.
MAX_CLAIM = 5
BOOK_AHEAD = 2 * MAX_CLAIM


class Pacing(Protocol):
    """What the paced HTTP client and the global-429 trace need of a pacer."""

    async def wait(self) -> None: ...

    def hold(self, seconds: float) -> None: ...


class Ticker(Protocol):
    """This process's monotonic clock, injectable so tests move it instead of waiting."""

    def monotonic(self) -> float: ...

    async def sleep_until(self, moment: float) -> None: ...


class MonotonicTicker:
    """The real one: `time.monotonic` and the event loop's sleep."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep_until(self, moment: float) -> None:
        """Return at `moment` (at once if it has passed)."""
        delay = moment - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


MONOTONIC = MonotonicTicker()


class Pacer:
    """Spaces requests evenly at `rate` per second across all senders of one process (a leaky bucket,
    burst of one)."""

    def __init__(self, rate: float, ticker: Ticker = MONOTONIC) -> None:
        self.interval = 1.0 / rate
        self._ticker = ticker
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Return at this sender's turn."""
        async with self._lock:
            start = max(self._ticker.monotonic(), self._next)
            self._next = start + self.interval
        await self._ticker.sleep_until(start)

    def hold(self, seconds: float) -> None:
        """No turn before `seconds` from now."""
        self._next = max(self._next, self._ticker.monotonic() + seconds)


class SharedPacer:
    """Spaces requests at `rate` per second for the whole bot, whatever process sends them: slots come
    from the budget in the database every process shares, a few at a time.

    While slots are being used, the next few are booked in the background before the last one is: a
    claim may wait its turn for the database's connection (measured on SQLite during a fan-out: p90
    72 ms, p99 103 ms, three to five slots' worth), and the budget must not go idle meanwhile. A slot
    left unused past its time is dropped, never sent late in a bunch. If the database cannot be
    reached, this process falls back to its share of the rate (`fallback`), so a broken budget never
    makes it send faster than its part of the limit.
    """

    def __init__(self, budget: SendBudgetService, rate: float, fallback: float, ticker: Ticker = MONOTONIC) -> None:
        self.interval = 1.0 / rate
        self._budget = budget
        self._ticker = ticker
        self._slots: collections.deque[float] = collections.deque()  # booked, on this process's monotonic clock
        self._lock = asyncio.Lock()
        self._booking: asyncio.Task[bool] | None = None  # slots being booked ahead in the background
        self._held = 0  # bumped by each hold: a slot booked before it is not used after it
        self._fallback = Pacer(fallback, ticker)
        self._holds: collections.deque[asyncio.Task] = collections.deque()  # holds not yet in the budget

    async def wait(self) -> None:
        """Return at a slot of the bot's budget that is this sender's."""
        while True:
            async with self._lock:
                if not await self._have_slot():
                    break
                slot, held = self._slots.popleft(), self._held
            if len(self._slots) < BOOK_AHEAD and self._booking is None:
                self._booking = asyncio.get_running_loop().create_task(self._book(MAX_CLAIM))
            await self._ticker.sleep_until(slot)
            if held == self._held:
                return
            # A global 429 arrived while this sender waited: its slot is inside the hold.
        await self._fallback.wait()

    async def _have_slot(self) -> bool:
        """A slot is booked (booking one now if none is), or the budget is out of reach."""
        while self._holds:  # a slot booked now must come after them
            await self._holds.popleft()
        self._drop_missed()
        if not self._slots and self._booking is not None:
            await self._booking
            self._drop_missed()
        return bool(self._slots) or await self._book(1)

    def _drop_missed(self) -> None:
        missed = self._ticker.monotonic() - self.interval
        while self._slots and self._slots[0] < missed:
            self._slots.popleft()

    async def _book(self, count: int) -> bool:
        held = self._held
        try:
            slots = await self._budget.claim(count, self.interval)
        except Exception:
            log.warning("the shared request budget is out of reach; pacing at this process's share", exc_info=True)
            return False
        finally:
            if self._booking is asyncio.current_task():
                self._booking = None
        if held == self._held:  # else booked before a hold reached the budget: not for use
            self._slots = collections.deque(sorted([*self._slots, *slots.times()]))
        return True

    def hold(self, seconds: float) -> None:
        """No slot for any process of the bot before `seconds` from now (after a global 429)."""
        self._held += 1
        self._slots.clear()
        self._fallback.hold(seconds)
        self._holds.append(asyncio.get_running_loop().create_task(self._hold(seconds)))

    async def _hold(self, seconds: float) -> None:
        try:
            await self._budget.hold(seconds)
        except Exception:
            log.warning("could not tell the other processes about a global rate limit", exc_info=True)


def bot_pacer(budget: SendBudgetService, requests_per_second: float, shards: int, total_shards: int) -> SharedPacer:
    """The pacer of a process that runs `shards` of the bot's `total_shards`: the whole bot's budget
    (less the headroom), and this process's share of it if the budget is out of reach."""
    rate = requests_per_second * PACE_HEADROOM
    return SharedPacer(budget, rate, fallback=rate * shards / total_shards)


def pace_requests(http: Any, pacer: Pacing) -> None:
    """Make every request of discord.py's HTTP client (`client.http`) wait for its turn under the global
    limit: the fan-out's, a command's look-ups and the start-up's alike, since Discord counts them all.
    Interaction answers go through discord.py's webhook adapter instead, as Discord exempts them."""
    request = http.request

    async def paced(route: Any, **kwargs: Any) -> Any:
        await pacer.wait()
        return await request(route, **kwargs)

    http.request = paced


def global_limit_trace(
    pacer: Pacing, counted: Callable[[], object] = lambda: None, invalid: Callable[[int], object] = lambda _: None
) -> aiohttp.TraceConfig:
    """An aiohttp trace for discord.py's HTTP client that tells `pacer` of every global 429, with its
    Retry-After (discord.py waits it out itself; the pacer makes the bot's other processes wait too),
    and calls `counted` for each (a metric). `invalid` hears the status of every request Discord counts
    as invalid (401, 403, and 429 but a shared one): it bans a bot's address at 10,000 in 10 minutes."""
    trace = aiohttp.TraceConfig()

    async def on_request_end(_session: object, _context: object, params: aiohttp.TraceRequestEndParams) -> None:
        response = params.response
        headers = response.headers
        if response.status in (401, 403) or (response.status == 429 and headers.get("X-RateLimit-Scope") != "shared"):
            invalid(response.status)
        if response.status != 429:
            return
        if headers.get("X-RateLimit-Global", "").lower() != "true" and headers.get("X-RateLimit-Scope") != "global":
            return
        try:
            retry_after = float(headers.get("Retry-After", "1"))
        except ValueError:
            retry_after = 1.0
        log.warning("Discord's global rate limit was hit; every process waits %.2f s", retry_after)
        counted()
        pacer.hold(retry_after)

    trace.on_request_end.append(on_request_end)
    return trace
