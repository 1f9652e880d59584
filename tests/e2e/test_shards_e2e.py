"""Two bot processes, one per shard, against one fake Discord and one database: each due nudge and
leaderboard is sent once, by the process whose shard owns the guild."""

from __future__ import annotations

import asyncio
import collections

from bot.db.engine import create_engine
from tests.e2e.live import Live, live_bot
from tests.e2e.scaleout import env_of, guild_id_on_shard
from tests.e2e.seeding import due_cohort
from tests.e2e.test_scheduler_e2e import delivery_statuses, wait_for

MEMBERS_PER_GUILD = 30


async def seed(database_url: str, guilds: list) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            for n, (guild, channel, users) in enumerate(guilds):
                await due_cohort(
                    conn,
                    guild_id=guild.id,
                    channel_id=channel.id,
                    name=f"cohort{n}",
                    user_ids=[u.id for u in users],
                    leaderboard_due=True,
                )
    finally:
        await engine.dispose()


async def test_two_shard_processes_send_everything_once(tmp_path, db_url):
    first = await live_bot(tmp_path / "a", db_url, members=0, SHARD_COUNT="2", SHARD_IDS="0")
    world, fake = first.world_and_fake()
    guilds = []
    for shard in (0, 1):
        guild = world.add_guild(f"Guild on shard {shard}", world.users[first.mod.id], guild_id_on_shard(shard))
        channel = guild.add_channel("study-hall")
        users = [world.add_user(f"s{shard}m{i}") for i in range(MEMBERS_PER_GUILD)]
        for user in users:
            guild.add_member(user)
        guilds.append((guild, channel, users))
    await seed(db_url, guilds)
    second = Live(fake, first.guild, first.hall, first.mod, [], env_of(first, 1, tmp_path), tmp_path / "b.log")
    (tmp_path / "a").mkdir(exist_ok=True)
    await first.start()
    await second.start()
    try:
        expected = 2 * MEMBERS_PER_GUILD
        await wait_for(
            lambda: len(fake.dms) >= expected and len(fake.channel_posts) >= 2,
            30,
            "both shards' nudges and leaderboards",
            first,
        )
        await asyncio.gather(first.ticks(2), second.ticks(2))  # more ticks on both: nothing is sent twice
        per_user = collections.Counter(m.payload["channel_id"] for m in fake.dms)
        assert len(per_user) == expected and max(per_user.values()) == 1
        posts = collections.Counter(m.payload["channel_id"] for m in fake.channel_posts)
        assert posts == {str(g[1].id): 1 for g in guilds}
        assert await delivery_statuses(db_url) == {"sent": expected + 2}
        assert sorted(tuple(i["shard"]) for i in fake.gateway.identifies) == [(0, 2), (1, 2)]
    finally:
        await second.stop()
        await first.stop()
        await fake.stop()
        fake.assert_accepted_all()
