"""Building and running the bot: shared by `studybot run` and `studybot sandbox`, so both take one path."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from bot.app import StudyBot, apply_endpoints
from bot.config import Settings
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import ensure_schema
from bot.roadmap import RoadmapCatalog
from bot.services.clock import Clock, OffsetClock, SystemClock
from bot.services.container import Services
from bot.services.roadmap_sync import sync_roadmaps

log = logging.getLogger("studybot")


def default_clock(settings: Settings) -> Clock:
    """The wall clock, or CLOCK_START's shifted one for rehearsals."""
    return OffsetClock(settings.clock_start) if settings.clock_start else SystemClock()


@asynccontextmanager
async def prepared_bot(settings: Settings, roadmaps: RoadmapCatalog, clock: Clock) -> AsyncIterator[StudyBot]:
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
        services = Services.build(
            sessions,
            roadmaps,
            clock,
            nudge_grace=timedelta(hours=settings.nudge_grace_hours),
            leaderboard_grace=timedelta(hours=settings.leaderboard_grace_hours),
            shards=(settings.shard_count, settings.shard_id_list),
        )
        yield StudyBot(settings, services)
    finally:
        await engine.dispose()


async def serve(bot: StudyBot, token: str, *, handle_signals: bool = True) -> None:
    """Connect and run until closed. SIGTERM/SIGINT stop it cleanly: the scheduler stops, in-flight
    sends finish, the gateway closes."""
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        await bot.start(token)
    log.info("stopped cleanly")
