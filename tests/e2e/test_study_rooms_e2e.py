"""Study rooms in the real `studybot run` process: voice states come over the gateway (VOICE_STATE_UPDATE,
and GUILD_CREATE after a restart), and a stay in the room survives a clean stop and a kill -9 as one
stay: no minute lost, none counted twice."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import select

from bot.db.engine import create_engine
from bot.db.models import StudySession
from tests.e2e.live import live_bot


async def stays(database_url: str) -> list[StudySession]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return list(await conn.execute(select(StudySession).order_by(StudySession.id)))  # type: ignore[arg-type]
    finally:
        await engine.dispose()


async def until(database_url: str, wanted: Callable[[list], bool], timeout: float = 10.0) -> list:
    """The study_sessions rows once `wanted` says so (the bot handles a voice change in its own time)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        rows = await stays(database_url)
        if wanted(rows):
            return rows
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"study_sessions never became what the test waited for: {rows}")
        await asyncio.sleep(0.05)


async def test_a_stay_survives_a_clean_stop_and_a_kill_9_as_one_stay(tmp_path, db_url):
    live = await live_bot(tmp_path, db_url)
    room = live.guild.add_voice_channel("study-room")
    alice, bob, _ = live.members
    await live.start()
    try:
        create = {"channel": live.hall, "start_date": "2026-11-02", "timezone": "Europe/Berlin"}
        await live.run(live.mod, "cohort create", name="spring", **create)
        for user in (alice, bob):
            await live.run(user, "join", cohort="spring")
        await live.fake.voice(bob, live.guild, room)  # over the gateway: the bot's cache knows it
        edit = await live.run(live.mod, "cohort edit", cohort="spring", study_room=room)
        assert "counts as study" in edit.message.text(), edit.message.text()
        [opened] = await until(db_url, lambda rows: len(rows) == 1)
        assert opened.ended_at is None

        await live.stop()  # SIGTERM: the bot records when it last saw the room
        await live.fake.voice(alice, live.guild, room)  # while the bot is away
        await live.start()  # GUILD_CREATE lists both in the room
        rows = await until(db_url, lambda rows: len(rows) == 2)
        assert rows[0].id == opened.id and rows[0].ended_at is None  # bob's stay goes on, unbroken
        assert rows[1].ended_at is None  # alice's begins when the bot saw her

        await live.kill()  # no goodbye: the last scheduler tick is the last moment seen
        await live.start()
        await live.ticks(1)
        assert [r.ended_at for r in await stays(db_url)] == [None, None]  # a restart within grace ends nothing

        await live.fake.voice(bob, live.guild, room, self_deaf=True)
        await live.fake.voice(alice, live.guild, None)
        rows = await until(db_url, lambda rows: all(r.ended_at is not None for r in rows))
        assert len(rows) == 2 and rows[0].started_at == opened.started_at  # one stay each, whole
        progress = await live.run(bob, "progress")
        assert "Studied today" in progress.message.text()
    finally:
        await live.stop()
        await live.fake.stop()
    live.fake.assert_accepted_all()
