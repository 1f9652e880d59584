"""The clock: APScheduler calls `tick` every SCHEDULER_TICK_SECONDS. What is due, and what was sent,
is decided by the database (timers and delivery claims), never by APScheduler's own misfire rules."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduled.fanout import Fanout, FanoutReport
from bot.scheduled.focus_bells import BellClock
from bot.services.delivery.due import DeliveryService

log = logging.getLogger(__name__)

# Docker sends SIGKILL 10 s after SIGTERM; the whole stop must end well inside 5 s.
STOP_SECONDS = 3.0


class Scheduler:
    """Ticks the fan-out. A tick that overruns is never doubled (max_instances=1, coalesce)."""

    def __init__(
        self,
        fanout: Fanout,
        deliveries: DeliveryService,
        tick_seconds: float,
        on_tick: Callable[[], None] | None = None,
    ) -> None:
        self._on_tick = on_tick
        self._fanout = fanout
        self._deliveries = deliveries
        self._tick_seconds = tick_seconds
        self._aps = AsyncIOScheduler(timezone=UTC)
        self._ticking: asyncio.Task | None = None
        self.ticks = 0
        self.last_tick_at: datetime | None = None
        self._ticked = asyncio.Condition()
        self._bell_clock = BellClock(fanout.bells)

    async def start(self) -> None:
        """Abandon claims an interrupted run left behind, then tick now and every interval."""
        await self._deliveries.abandon_stale_claims()
        self._aps.add_job(
            self.tick,
            IntervalTrigger(seconds=self._tick_seconds, timezone=UTC),
            id="studybot-tick",
            max_instances=1,
            coalesce=True,
            # A late tick still runs: it only asks the database what is due.
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
        self._aps.start()
        self._bell_clock.start()

    async def tick(self) -> FanoutReport | None:
        """One pass over everything due. Errors are logged; the next tick tries again."""
        self._ticking = asyncio.current_task()
        try:
            report = await self._fanout.run_once()
        except Exception:
            log.exception("scheduler tick failed")
            return None
        finally:
            self.ticks += 1
            self.last_tick_at = datetime.now(UTC)
            async with self._ticked:
                self._ticked.notify_all()
            if self._on_tick is not None:
                try:
                    self._on_tick()
                except OSError:
                    log.warning("could not write the heartbeat", exc_info=True)
        return report

    async def ticked(self, count: int) -> None:
        """Return once `count` ticks have ended (for whoever must know the clock went round)."""
        async with self._ticked:
            await self._ticked.wait_for(lambda: self.ticks >= count)

    async def stop(self, deadline: float = STOP_SECONDS) -> None:
        """Stop ticking; a running fan-out sends what it claimed and claims nothing more. What is not
        done within `deadline` seconds is cancelled: its claims stay claimed (abandoned at the next
        start), so nothing is ever sent twice, and what was never claimed waits for the next start."""
        self._fanout.request_stop()
        await self._bell_clock.stop(min(deadline, 1.0))  # a ring takes milliseconds: leave the rest to the fan-out
        if self._aps.running:
            self._aps.pause()  # no new tick; APScheduler's shutdown would cancel the running one
        try:
            await asyncio.wait_for(self._fanout.wait_idle(), deadline)
        except TimeoutError:
            log.warning("the fan-out did not finish within %.0f s of stopping; ending it", deadline)
            if self._ticking is not None and not self._ticking.done():
                self._ticking.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._ticking
        if self._aps.running:
            self._aps.shutdown(wait=False)
