"""Several `studybot run` processes, one shard each, sending due nudges against one fake Discord that
enforces the global limit per bot (issue 17). Used by tests/e2e/test_shared_budget_e2e.py and by
`python bench/scaleout.py`."""

from __future__ import annotations

import asyncio
import collections
import contextlib
from dataclasses import dataclass
from pathlib import Path

from bot.db.engine import create_engine
from bot.sandbox.fake import User, World
from bot.sandbox.fake.records import Message
from tests.e2e.live import Live, live_bot
from tests.e2e.seeding import due_cohort


def guild_id_on_shard(shard: int, count: int = 2) -> int:
    """A guild id that Discord puts on `shard` of `count`: (id >> 22) % count."""
    return ((1_000_000 + shard) << 22) | 12345


@dataclass(frozen=True)
class DueGuild:
    guild_id: int
    channel_id: int
    dm_channels: dict[int, int]  # member -> their DM channel with the bot


@dataclass
class ScaleOut:
    """What the fake saw while the processes sent their nudges."""

    expected: int  # nudges due
    nudged: int  # members who got at least one
    duplicates: int  # nudges beyond the first per member
    requests: int  # requests the fake let through, on routes under the global limit
    rate_limited: int  # global 429s
    rate: float  # nudges per second, first to last
    seconds: float  # from the first nudge to the last (or to the timeout)

    @property
    def limited_share(self) -> float:
        """429s as a share of every request under the global limit."""
        return self.rate_limited / max(1, self.requests + self.rate_limited)


async def scale_out(
    tmp_path: Path,
    database_url: str,
    *,
    members: int,
    limit: float,
    busy_shards: tuple[int, ...] = (0, 1),
    processes: int = 2,
    timeout: float = 60.0,
) -> ScaleOut:
    """`processes` bots (SHARD_COUNT = processes, one shard each) with `members` due nudges in the guild
    of each shard in `busy_shards`, every DM channel already known (one request a nudge), against a
    fake answering 429 past `limit` requests a second for the bot as a whole."""
    first = await live_bot(
        tmp_path / "p0",
        database_url,
        members=0,
        SHARD_COUNT=str(processes),
        SHARD_IDS="0",
        DISCORD_REQUESTS_PER_SECOND=str(limit),
        LOG_LEVEL="WARNING",
    )
    world, fake = first.world_and_fake()
    fake.global_limit.per_second = limit
    owner = world.users[first.mod.id]
    cohorts = [due_guild(world, owner, shard, processes, members) for shard in busy_shards]
    expected = members * len(busy_shards)
    sent_at: list[float] = []
    recipients: set[int] = set()
    everyone_nudged = asyncio.Event()
    loop = asyncio.get_running_loop()

    def record(message: Message) -> None:
        channel = world.channel(int(message.payload["channel_id"]))
        if channel is not None and channel.recipient is not None:
            sent_at.append(loop.time())
            recipients.add(channel.id)
            if len(recipients) >= expected:
                everyone_nudged.set()

    fake.on_message = record
    bots = [first] + [
        Live(fake, first.guild, first.hall, first.mod, [], env_of(first, n, tmp_path), tmp_path / f"p{n}.log")
        for n in range(1, processes)
    ]
    before = len(fake.requests)
    try:
        for bot in bots:
            await bot.start()
        # Every process is up when the cohorts of all shards fall due at the same moment.
        await seed_due(database_url, cohorts)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(everyone_nudged.wait(), timeout)
        await asyncio.gather(*(bot.ticks(2) for bot in bots))  # more ticks on every process: anything sent twice shows
    finally:
        for bot in bots:
            await bot.stop()
        await fake.stop()
    per_member = collections.Counter(m.payload["channel_id"] for m in fake.dms)
    under_limit = [r for r in fake.requests[before:] if fake.global_limit.applies_to(r.path)]
    span = sent_at[-1] - sent_at[0] if len(sent_at) > 1 else 0.0
    return ScaleOut(
        expected=expected,
        nudged=len(per_member),
        duplicates=sum(n - 1 for n in per_member.values()),
        requests=len(under_limit),
        rate_limited=fake.global_limit.refused,
        rate=(len(sent_at) - 1) / span if span else 0.0,
        seconds=span,
    )


def env_of(first: Live, shard: int, tmp_path: Path) -> dict[str, str]:
    """The environment of the process that runs `shard`: the first one's, with its own heartbeat file."""
    return first.env | {"SHARD_IDS": str(shard), "HEARTBEAT_PATH": str(tmp_path / f"p{shard}-heartbeat.json")}


def due_guild(world: World, owner: User, shard: int, shards: int, members: int) -> DueGuild:
    """A guild on `shard` of `shards` with a channel and `members` members whose DM channels the bot
    already knows; its cohort is seeded by `seed_due`."""
    guild = world.add_guild(f"Guild {shard}", owner, guild_id_on_shard(shard, shards))
    channel = guild.add_channel("study-hall")
    users = [world.add_user(f"s{shard}m{i}") for i in range(members)]
    for user in users:
        guild.add_member(user)
    return DueGuild(guild.id, channel.id, {user.id: world.dm_channel(user).id for user in users})


async def seed_due(database_url: str, cohorts: list[DueGuild]) -> None:
    """A cohort in each guild, every member's nudge due now, in one transaction."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            for n, due in enumerate(cohorts):
                await due_cohort(
                    conn,
                    guild_id=due.guild_id,
                    channel_id=due.channel_id,
                    name=f"cohort{n}",
                    user_ids=list(due.dm_channels),
                    dm_channels=due.dm_channels,
                )
    finally:
        await engine.dispose()
