"""The bot's own scheduler, in the real process: nudges and leaderboards when due; kill -9 mid fan-out."""

from __future__ import annotations

import asyncio
import collections
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.db.engine import create_engine
from bot.db.models import Delivery
from tests.e2e.live import Live, live_bot
from tests.e2e.seeding import due_cohort


async def wait_for(predicate, timeout: float, what: str, live) -> None:
    for _ in range(int(timeout * 10)):
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; bot log:\n{live.log()[-3000:]}")


async def test_a_nudge_the_weekly_leaderboard_and_study_buddies_arrive_when_due(tmp_path, db_url):
    # Monday 2026-11-30, ten seconds before 09:00 in Berlin: the nudge and the leaderboard (with the week's
    # study buddies) are all due then.
    live = await live_bot(tmp_path, db_url, clock_start=datetime(2026, 11, 30, 7, 59, 50, tzinfo=UTC))
    await live.start()
    try:
        alice, bob, _ = live.members
        await live.run(
            live.mod,
            "cohort create",
            name="spring",
            channel=live.hall,
            start_date="2026-11-02",
            timezone="Europe/Berlin",
            leaderboard_day="monday",
            leaderboard_time="09:00",
        )
        await live.run(live.mod, "cohort edit", cohort="spring", buddies="on")
        await live.run(alice, "join", cohort="spring")
        await live.run(bob, "join", cohort="spring")
        await live.run(alice, "buddy on")
        await live.run(bob, "buddy on")
        await live.run(alice, "done")
        await wait_for(
            lambda: len(live.fake.dms_to(alice)) == 2 and len(live.fake.dms_to(bob)) == 2 and live.fake.channel_posts,
            30,
            "the nudges, the leaderboard and the buddy DMs",
            live,
        )
        [dm] = [m for m in live.fake.dms_to(alice) if m.buttons]
        assert "Today in spring: HTTP and HTTPS" in dm.text()
        [buddy] = [m for m in live.fake.dms_to(bob) if not m.buttons]
        assert f"<@{alice.id}>: **HTTP and HTTPS**" in buddy.text() and not buddy.pinged
        [board] = live.fake.channel_posts
        assert "Weekly leaderboard · spring" in board.text() and f"🥇 <@{alice.id}> · 1 topic" in board.text()

        done = await live.fake.click(alice, None, dm, "Done", timeout=10)  # through the gateway, from a DM
        assert "**HTTP and HTTPS** done" in done.message.content
        stranger = await live.fake.click(bob, None, dm, "Stop nudges", timeout=10)
        assert "someone else's nudge" in stranger.message.content
        await live.ticks(2)  # more ticks: nothing is sent twice
        assert len(live.fake.dms_to(alice)) == 2 and len(live.fake.channel_posts) == 1
    finally:
        await live.stop()
        await live.fake.stop()
        live.fake.assert_accepted_all()


async def seed_due_members(database_url: str, guild_id: int, channel_id: int, user_ids: list[int]) -> None:
    """A cohort whose members are all due for a nudge now (as if the bot had been down a moment)."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await due_cohort(conn, guild_id=guild_id, channel_id=channel_id, name="spring", user_ids=user_ids)
    finally:
        await engine.dispose()


async def delivery_statuses(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
            return {status: n for status, n in rows}
    finally:
        await engine.dispose()


async def fan_out_under_way(tmp_path, db_url) -> Live:
    """A running bot 40 nudges into a fan-out of 200 that takes ~8 s (each nudge opens a DM and posts,
    at 50 requests a second); the caller stops it."""
    live = await live_bot(tmp_path, db_url, members=200)
    live.fake.global_limit.per_second = 50
    await seed_due_members(db_url, live.guild.id, live.hall.id, [u.id for u in live.members])
    await live.start()
    try:
        await wait_for(lambda: len(live.fake.dms) >= 40, 30, "the fan-out to be under way", live)
    except BaseException:
        await live.stop()
        await live.fake.stop()
        raise
    return live


async def test_kill_9_during_a_fan_out_then_restart_sends_nothing_twice(tmp_path, db_url):
    live = await fan_out_under_way(tmp_path, db_url)
    try:
        await live.kill()
        killed_at = len(live.fake.dms)
        assert killed_at < 200
        await live.start()
        await wait_for(lambda: len(live.fake.dms) >= 200 - 64, 40, "the rest of the fan-out", live)
        await live.ticks(2)  # more ticks: anything still due or in flight would land now
        per_user = collections.Counter(m.payload["channel_id"] for m in live.fake.dms)
        assert max(per_user.values()) == 1, "a member got the same nudge twice"
        statuses = await delivery_statuses(db_url)
        assert sum(statuses.values()) == 200  # one claim per member and date, whatever happened
        # Claimed by the killed process but never confirmed: at most two batches, left unsent rather than doubled.
        assert statuses["sent"] + statuses.get("claimed", 0) == 200
        assert statuses.get("claimed", 0) <= 64
        assert len(live.fake.dms) >= statuses["sent"]
    finally:
        await live.stop()
        await live.fake.stop()
        live.fake.assert_accepted_all()
