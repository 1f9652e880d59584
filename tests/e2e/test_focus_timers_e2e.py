"""Focus timers in the real `studybot run` process: the bell clock rings a due bell by DM within seconds,
without waiting for a scheduler tick, and a kill -9 and restart never ring it again. A real round lasts
5 minutes at least, so the test moves the timer's row back in time, as the clock would have."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import Select, select, update

from bot.db.engine import create_engine
from bot.db.models import FocusParticipant, FocusTimer, StudySession
from tests.e2e.live import live_bot


async def _rows(database_url: str, query: Select) -> list:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            return list(await conn.execute(query))
    finally:
        await engine.dispose()


async def _moved_back(database_url: str, minutes: int) -> None:
    """The timer started, and its member joined it, `minutes` earlier: its first bell is due now."""
    engine = create_engine(database_url)
    earlier = timedelta(minutes=minutes)
    try:
        async with engine.begin() as conn:
            [timer] = list(await conn.execute(select(FocusTimer)))
            [member] = list(await conn.execute(select(FocusParticipant)))
            moved = {"started_at": timer.started_at - earlier, "next_bell_at": timer.next_bell_at - earlier}
            await conn.execute(update(FocusTimer).values(**moved))
            await conn.execute(update(FocusParticipant).values(joined_at=member.joined_at - earlier))
    finally:
        await engine.dispose()


async def test_a_bell_rings_by_dm_within_seconds_and_once_across_a_kill_9(tmp_path, db_url):
    # Ticks a minute apart: a bell within seconds is the bell clock's doing, not the scheduler's.
    live = await live_bot(tmp_path, db_url)
    _, bob, _ = live.members
    await live.start(SCHEDULER_TICK_SECONDS="60")
    try:
        create = {"channel": live.hall, "start_date": "2026-11-02", "timezone": "Europe/Berlin"}
        await live.run(live.mod, "cohort create", name="spring", **create)
        await live.run(bob, "join", cohort="spring")
        await live.run(live.mod, "cohort edit", cohort="spring", focus="on")
        started = await live.run(bob, "focus start", minutes=5, rounds=1)
        assert "Your focus timer started" in started.message.text(), started.message.text()
        before = len(live.fake.dms_to(bob))
        await _moved_back(db_url, 5)
        deadline = asyncio.get_running_loop().time() + 15
        while len(live.fake.dms_to(bob)) == before:
            assert asyncio.get_running_loop().time() < deadline, "no bell within 15 seconds"
            await asyncio.sleep(0.1)
        [bell] = live.fake.dms_to(bob)[before:]
        assert "Focus cycle done" in bell.text()
        await live.kill()
        await live.start(SCHEDULER_TICK_SECONDS="60")
        await asyncio.sleep(6)  # the tick at start and a bell clock's round
        assert len(live.fake.dms_to(bob)) == before + 1  # rung once
        rounds = await _rows(db_url, select(StudySession).where(StudySession.source == "focus"))
        assert len(rounds) == 1 and rounds[0].ended_at - rounds[0].started_at == timedelta(minutes=5)
        progress = await live.run(bob, "progress")
        assert "5 minutes" in progress.message.text()
    finally:
        await live.stop()
        await live.fake.stop()
    live.fake.assert_accepted_all()
