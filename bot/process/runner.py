"""Building and running the bot, the one composition root: shared by `studybot run`, `studybot sandbox`
and the tests' harness, so all take one path."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from bot.config import Settings
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import ensure_schema
from bot.process.app import StudyBot, apply_endpoints
from bot.roadmap import RoadmapCatalog
from bot.scheduled.fanout import Fanout
from bot.scheduled.scheduler import Scheduler
from bot.services.clock import Clock, OffsetClock, SystemClock
from bot.services.cohorts.roadmap_sync import sync_roadmaps
from bot.services.container import Services
from bot.services.progress.tallies import count_all_stale

log = logging.getLogger("studybot")

# Within Docker's 10 s before SIGKILL, with room: the scheduler gets 3 s (bot.scheduled.scheduler), closing 4 s.
STOP_SECONDS = 4.0


def default_clock(settings: Settings) -> Clock:
    """The wall clock, or CLOCK_START's shifted one for rehearsals."""
    return OffsetClock(settings.clock_start) if settings.clock_start else SystemClock()


def build_bot(settings: Settings, services: Services, *, start_scheduler: bool = True) -> StudyBot:
    """The bot with its fan-out and the scheduler that drives it (started with the bot unless
    `start_scheduler` is False: then ticks happen only when called, as in the tests' harness and the
    fan-out benchmark)."""
    bot = StudyBot(settings, services, start_scheduler=start_scheduler)
    fanout = Fanout(
        bot,
        services,
        concurrency=settings.fanout_concurrency,
        retry_base_seconds=settings.delivery_retry_base_seconds,
        metrics=bot.metrics,
    )
    bot.attach(fanout, Scheduler(fanout, services.deliveries, settings.scheduler_tick_seconds, on_tick=bot.beat))
    return bot


@asynccontextmanager
async def prepared_bot(
    settings: Settings, roadmaps: RoadmapCatalog, clock: Clock, *, start_scheduler: bool = True
) -> AsyncIterator[StudyBot]:
    """Migrate, apply the roadmaps, wire the services and build the bot; the database closes on exit."""
    apply_endpoints(settings)
    engine = create_engine(settings.database_url)
    try:
        if await ensure_schema(engine, settings.database_url):
            log.info("database migrated to the newest schema")
        sessions = create_sessionmaker(engine)
        moves = await sync_roadmaps(sessions, roadmaps, clock.now())
        if moves:
            log.warning("roadmap: %d member(s) moved to a topic that exists and is still open", len(moves))
        await count_all_stale(sessions, clock.now())
        services = Services.build(
            sessions,
            roadmaps,
            clock,
            nudge_grace=timedelta(hours=settings.nudge_grace_hours),
            leaderboard_grace=timedelta(hours=settings.leaderboard_grace_hours),
            shards=(settings.shard_count, settings.shard_id_list),
        )
        yield build_bot(settings, services, start_scheduler=start_scheduler)
    finally:
        await engine.dispose()


async def serve(bot: StudyBot, token: str, stop: asyncio.Event | None = None) -> None:
    """Connect and run until closed, or until `stop` is set (SIGTERM/SIGINT in `studybot run`): then
    the scheduler stops (sends in flight finish), the gateway closes, and whatever is still waiting
    (a reconnect back-off) is cancelled, all within STOP_SECONDS."""
    # What `async with bot` does on entry (bind the loop, make the ready event, at once, so waiting for
    # ready may begin right away); its exit is `_shut_down`, bounded in time where `__aexit__` is not.
    await bot.__aenter__()
    running = asyncio.ensure_future(bot.start(token))
    stopping = asyncio.ensure_future(stop.wait()) if stop is not None else None
    await asyncio.wait({running, *([stopping] if stopping else [])}, return_when=asyncio.FIRST_COMPLETED)
    if stopping is not None and not stopping.done():
        stopping.cancel()
    await _shut_down(bot, running)
    if not running.cancelled():
        running.result()  # a failure to connect (a bad token, Discord unreachable) is the caller's to say
    log.info("stopped cleanly")


async def _shut_down(bot: StudyBot, running: asyncio.Future) -> None:
    """Close the bot (bounded: a close stuck behind a reconnect never holds the process), then end
    `bot.start` if it is still waiting."""
    try:
        await asyncio.wait_for(asyncio.shield(bot.close()), STOP_SECONDS)
    except TimeoutError:
        log.warning("closing took over %.0f s; ending anyway", STOP_SECONDS)
    if not running.done():
        running.cancel()
        await asyncio.wait({running}, timeout=1.0)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT, installed before anything starts (migrations included)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
