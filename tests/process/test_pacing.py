"""One request budget for every process of the bot (issue 17): slots from the shared table never
overlap, a global 429 holds every process back, and a pacer whose budget is out of reach falls back to
its process's share of the limit."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest
from multidict import CIMultiDict
from sqlalchemy import update

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import SendBudget
from bot.process.pacing import PACE_HEADROOM, SharedPacer, bot_pacer, global_limit_trace
from bot.services.delivery.send_budget import MAX_AHEAD, SendBudgetService, Slots


@pytest.fixture
async def two_processes(db_url):
    """Two budgets on one database, each with its own engine, as two processes have."""
    engines = [create_engine(db_url), create_engine(db_url)]
    yield [SendBudgetService(create_sessionmaker(e)) for e in engines]
    for engine in engines:
        await engine.dispose()


def _slots(claimed: Slots) -> list[float]:
    """The claimed slots as seconds from the claim's own `now`."""
    return [claimed.first - claimed.now + i * claimed.interval for i in range(claimed.count)]


async def test_processes_take_turns_from_one_budget(two_processes):
    a, b = two_processes
    interval = 0.05
    first = await a.claim(4, interval)
    second = await b.claim(3, interval)
    third = await a.claim(2, interval)
    # Back to back for the whole bot: each claim starts where the last one ended, never inside it.
    assert second.first == pytest.approx(first.first + 4 * interval)
    assert third.first == pytest.approx(second.first + 3 * interval)
    # And from now on, not in the past (an idle bot's budget does not bank slots).
    assert _slots(first)[0] >= -0.01
    assert _slots(third)[-1] <= 9 * interval + 0.5


async def test_an_idle_budget_starts_from_now(two_processes):
    a, _ = two_processes
    await a.claim(1, 0.01)
    await asyncio.sleep(0.1)
    later = await a.claim(1, 0.01)
    assert -0.01 <= later.first - later.now <= 0.01


async def test_a_global_429_in_one_process_holds_back_the_other(two_processes):
    a, b = two_processes
    await a.hold(1.5)
    after = await b.claim(1, 0.02)
    assert after.first - after.now >= 1.4
    # A shorter hold never shortens a longer one.
    await b.hold(0.1)
    assert (await a.claim(1, 0.02)).first >= after.first + 0.02 - 1e-6


async def test_a_clock_set_back_does_not_stop_the_bot(two_processes, db_url):
    a, _ = two_processes
    await a.hold(3600)  # far more than any hold may take
    held = await a.claim(1, 0.02)
    assert MAX_AHEAD - 1 <= held.first - held.now <= MAX_AHEAD + 1
    # As if the clock went back an hour after a claim: the budget starts again from the present.
    engine = create_engine(db_url)
    async with engine.begin() as conn:
        await conn.execute(update(SendBudget).values(next_at=time.time() + 3600))
    await engine.dispose()
    after = await a.claim(1, 0.02)
    assert after.first - after.now <= 0.01


class FakeTicker:
    """A monotonic clock that moves only when every sender is asleep: to the earliest moment one of them
    waits for. What each sender was released at is exact, whatever the machine's load."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep_until(self, moment: float) -> None:
        if moment <= self.now:
            await asyncio.sleep(0)
            return
        woken = asyncio.get_running_loop().create_future()
        self._sleepers.append((moment, woken))
        await woken

    async def settle(self) -> None:
        """Let every task run until it sleeps on this clock or is done."""
        for _ in range(20):
            await asyncio.sleep(0)

    async def run(self, work):
        """Run `work` to its end, moving the clock from one sleeper's moment to the next."""
        task = asyncio.ensure_future(work)
        await self.settle()
        while not task.done():
            assert self._sleepers, "nothing sleeps on the clock, yet the work is not done"
            self.now = min(moment for moment, _ in self._sleepers)
            for moment, woken in [entry for entry in self._sleepers if entry[0] <= self.now]:
                self._sleepers.remove((moment, woken))
                woken.set_result(None)
            await self.settle()
        return task.result()


class _Budget:
    """A budget that records claims, optionally out of reach, on the fake clock."""

    def __init__(self, ticker: FakeTicker, *, broken: bool = False) -> None:
        self.claims: list[int] = []
        self.holds: list[float] = []
        self.broken = broken
        self._ticker = ticker
        self._next = 0.0

    async def claim(self, count: int, interval: float) -> Slots:
        if self.broken:
            raise ConnectionError("database down")
        self.claims.append(count)
        now = self._ticker.monotonic()
        first = max(self._next, now)
        self._next = first + count * interval
        return Slots(first=first, now=now, seen=now, count=count, interval=interval)

    async def hold(self, seconds: float) -> None:
        self.holds.append(seconds)
        self._next = max(self._next, self._ticker.monotonic() + seconds)


async def released(ticker: FakeTicker, pacer) -> float:
    """When a sender's turn came."""
    await pacer.wait()
    return ticker.now


async def test_waiting_senders_claim_a_few_slots_at_a_time():
    ticker = FakeTicker()
    budget = _Budget(ticker)
    pacer = SharedPacer(budget, rate=200, fallback=100, ticker=ticker)  # type: ignore[arg-type]
    turns = await ticker.run(asyncio.gather(*(released(ticker, pacer) for _ in range(12))))
    assert sum(budget.claims) >= 12
    assert max(budget.claims) <= 5  # never more than ~0.1 s of the bot's budget at once
    assert len(budget.claims) <= 6
    # One sender a slot, the slots 1/200 s apart.
    assert sorted(turns) == pytest.approx([1000.0 + i / 200 for i in range(12)])


async def test_a_hold_sends_waiting_senders_back_for_new_slots():
    ticker = FakeTicker()
    budget = _Budget(ticker)
    pacer = SharedPacer(budget, rate=10, fallback=5, ticker=ticker)  # type: ignore[arg-type]
    await ticker.run(pacer.wait())  # takes the first slot; the next ones are 0.1 s apart
    waiting = asyncio.gather(*(released(ticker, pacer) for _ in range(3)))
    await ticker.settle()  # all three asleep until their slots
    held_at = ticker.now
    pacer.hold(0.5)
    turns = await ticker.run(waiting)
    assert budget.holds == [0.5]
    # Nobody went in the slots they held before the hold: all of them came after it, a slot apart.
    assert min(turns) >= held_at + 0.5
    assert sorted(turns) == pytest.approx([min(turns) + i * 0.1 for i in range(3)])


async def test_a_budget_out_of_reach_falls_back_to_this_process_share(caplog):
    ticker = FakeTicker()
    pacer = SharedPacer(_Budget(ticker, broken=True), rate=100, fallback=20, ticker=ticker)  # type: ignore[arg-type]
    turns = [await ticker.run(released(ticker, pacer)) for _ in range(3)]
    # The share's spacing (1/20 s), not the whole bot's (1/100 s).
    assert turns == pytest.approx([1000.0, 1000.05, 1000.1])
    assert "out of reach" in caplog.text


def test_a_process_paces_the_whole_bot_and_falls_back_to_its_share():
    pacer = bot_pacer(object(), requests_per_second=50, shards=1, total_shards=4)  # type: ignore[arg-type]
    assert pacer.interval == pytest.approx(1 / (50 * PACE_HEADROOM))
    assert pacer._fallback.interval == pytest.approx(4 / (50 * PACE_HEADROOM))


class _Held:
    def __init__(self) -> None:
        self.holds: list[float] = []

    async def wait(self) -> None:
        return None

    def hold(self, seconds: float) -> None:
        self.holds.append(seconds)


async def _answer(trace, status: int, headers: dict[str, str]) -> None:
    response = SimpleNamespace(status=status, headers=CIMultiDict(headers))
    params = SimpleNamespace(response=response)
    for callback in trace.on_request_end:
        await callback(None, None, params)


async def test_only_a_global_429_holds_the_bot_back_and_is_counted():
    pacer, counted = _Held(), []
    trace = global_limit_trace(pacer, lambda: counted.append(1))
    await _answer(trace, 200, {})
    await _answer(trace, 429, {"Retry-After": "3", "X-RateLimit-Scope": "user"})  # one route's limit: not the bot's
    await _answer(trace, 429, {"Retry-After": "1.5", "X-RateLimit-Global": "true"})
    await _answer(trace, 429, {"Retry-After": "0.25", "X-RateLimit-Scope": "global"})
    assert pacer.holds == [1.5, 0.25] and len(counted) == 2
