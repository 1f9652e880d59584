"""Study rooms under load: do voice events delay commands, and are minutes exact across a restart?

    python bench/study_rooms.py [--members 1000] [--in-room 200] [--commands 200]

One cohort of `--members` members with study time on, in the real `studybot run` against the loopback
fake Discord (this process). Three figures:
- p50/p99 of `--commands` `/progress` commands sent together, alone (the baseline: "the same without
  voice"), then again while `--in-room` members join the study room at the same moment, and again while
  they leave it (each join and leave is a VOICE_STATE_UPDATE the bot turns into a database write);
- with the members back in the room, a SIGTERM and a restart: every stay must go on as one stay (no row
  ended, none doubled), and once they leave, each member's recorded time must equal the time between
  their join and their leave as the bot saw them: nothing lost to the restart, nothing counted twice;
- resident memory once everyone is in the room, against the same process before.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from bench.common import ROOT, machine, pct
from bench.interactions import rss_mb
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import Cohort, Membership, StudySession, joining
from bot.sandbox.fake import Channel, FakeDiscord, Guild, User, World
from bot.sandbox.fake.errors import NotAnswered

STUDYBOT = Path(sys.executable).parent / "studybot"


async def seed(database_url: str, guild_id: int, channel_id: int, room_id: int, user_ids: list[int]) -> None:
    """The cohort with study time on in `room_id`, every user a member on the first topic."""
    await asyncio.to_thread(upgrade_to_head, database_url)
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        cohort_id = (
            await conn.execute(
                insert(Cohort).returning(Cohort.id),
                {
                    "guild_id": guild_id,
                    "name": "bench",
                    "name_key": "bench",
                    "channel_id": channel_id,
                    "start_date": date(2026, 1, 5),
                    "timezone": "UTC",
                    "created_by": 1,
                    "created_at": now,
                    "study_room_id": room_id,
                    "study_time": True,
                },
            )
        ).scalar_one()
        await conn.execute(insert(Membership), [joining(cohort_id, uid, "dns", now) for uid in user_ids])
    await engine.dispose()


async def stays(database_url: str) -> list:
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        rows = list(await session.execute(select(StudySession, Membership.user_id).join(Membership)))
    await engine.dispose()
    return rows


async def until_rows(database_url: str, wanted: Callable[[list], bool], within: float = 60.0) -> list:
    deadline = time.monotonic() + within
    while True:
        rows = await stays(database_url)
        if wanted(rows) or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.1)


async def commands_while(
    fake: FakeDiscord, guild: Guild, hall: Channel, users: list[User], during: Awaitable[None] | None = None
) -> list[float]:
    """`/progress` from every one of `users` at once (with `during` started at the same moment): latencies."""
    sending = [fake.invoke(u, guild, hall, "progress", timeout=30) for u in users]
    results = await asyncio.gather(*sending, *([during] if during is not None else []), return_exceptions=True)
    answered = [r for r in results[: len(users)] if not isinstance(r, BaseException)]
    return [r.latency for r in answered]


async def everyone(fake: FakeDiscord, guild: Guild, users: list[User], room: Channel | None) -> None:
    """Each of `users` connects to `room` (None: disconnects), all at once, as a crowd does."""
    await asyncio.gather(*(fake.voice(u, guild, room) for u in users))


async def start_bot(
    env: dict, fake: FakeDiscord, guild: Guild, hall: Channel, probe: User
) -> asyncio.subprocess.Process:
    fake.gateway.identified.clear()
    proc = await asyncio.create_subprocess_exec(
        str(STUDYBOT), "run", env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await asyncio.wait_for(fake.gateway.identified.wait(), 60)
    while True:
        try:
            await fake.invoke(probe, guild, hall, "progress", timeout=2)
            return proc
        except NotAnswered:
            await asyncio.sleep(0.05)


async def main_async(args: argparse.Namespace) -> dict:
    world = World()
    guild = world.add_guild("Bench", world.add_user("owner"))
    hall = guild.add_channel("study-hall")
    room = guild.add_voice_channel("study-room")
    users = [world.add_user(f"member{i}") for i in range(args.members)]
    for user in users:
        guild.add_member(user)
    fake = FakeDiscord(world, checks=False)  # this times the bot, not the fake's checks
    await fake.start()
    tmp = tempfile.mkdtemp(prefix="studybot-bench-rooms-")
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    await seed(url, guild.id, hall.id, room.id, [u.id for u in users])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "COMMAND_"))} | {
        "DISCORD_TOKEN": "bench",
        "DISCORD_API_BASE_URL": fake.base_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "DATABASE_URL": url,
        "ROADMAP_PATH": str(ROOT / "roadmap.yaml"),
        "HEARTBEAT_PATH": f"{tmp}/heartbeat.json",
        "LOG_LEVEL": "WARNING",
    }
    askers, crowd = users[: args.commands], users[args.commands : args.commands + args.in_room]
    proc = await start_bot(env, fake, guild, hall, users[0])
    try:
        for user in askers:  # warm: every asker once, so no figure pays a first command's costs
            await fake.invoke(user, guild, hall, "progress", timeout=30)
        memory_before = rss_mb(proc.pid)
        quiet = await commands_while(fake, guild, hall, askers)
        joining_room = await commands_while(fake, guild, hall, askers, everyone(fake, guild, crowd, room))
        in_room = await until_rows(url, lambda rows: sum(r[0].ended_at is None for r in rows) == len(crowd))
        memory_in_room = rss_mb(proc.pid)
        leaving = await commands_while(fake, guild, hall, askers, everyone(fake, guild, crowd, None))
        await until_rows(url, lambda rows: all(r[0].ended_at is not None for r in rows))
        # The restart: everyone back in the room, SIGTERM, start again, then everyone leaves.
        joined_at = datetime.now(UTC)
        await everyone(fake, guild, crowd, room)
        await until_rows(url, lambda rows: sum(r[0].ended_at is None for r in rows) == len(crowd))
        before_restart = {r[1]: r[0].id for r in await stays(url) if r[0].ended_at is None}
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
        proc = await start_bot(env, fake, guild, hall, users[0])
        await asyncio.sleep(1.0)
        after_restart = {r[1]: r[0].id for r in await stays(url) if r[0].ended_at is None}
        left_at = datetime.now(UTC)
        await everyone(fake, guild, crowd, None)
        final = await until_rows(url, lambda rows: all(r[0].ended_at is not None for r in rows))
    finally:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
        await fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    restart_stays = [r[0] for r in final if r[0].id in before_restart.values()]
    recorded = [(s.ended_at - s.started_at).total_seconds() for s in restart_stays]
    # What each member spent in the room as this process sent it: the bot saw each join and leave a
    # moment later (its handling time), so a stay whole across the restart differs by that alone.
    wall = (left_at - joined_at).total_seconds()
    return {
        "machine": machine(),
        "members": args.members,
        "in_room": len(crowd),
        "commands": len(askers),
        "quiet": summary(quiet),
        "joining": summary(joining_room),
        "leaving": summary(leaving),
        "stays_opened": len(in_room),
        "stays_kept_across_restart": sum(before_restart.get(u) == after_restart.get(u) for u in before_restart),
        "stays_doubled": len(after_restart) - len(before_restart),
        "wall_seconds": wall,
        "restart_stay_seconds_min": min(recorded),
        "restart_stay_seconds_max": max(recorded),
        "rows_total": len(final),
        "rss_before_mb": memory_before,
        "rss_in_room_mb": memory_in_room,
    }


def summary(latencies: list[float]) -> dict:
    return {
        "answered": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * pct(latencies, 0.99),
    }


def report(r: dict) -> str:
    q, j, lv = r["quiet"], r["joining"], r["leaving"]
    lines = [
        f"{r['machine']}; {r['members']} members, {r['in_room']} in the study room, "
        f"{r['commands']} `/progress` at once",
        "",
        "| `/progress` answered; p50 / p99 | ratio of p99 to no voice |",
        "|---|---|",
        f"| no voice: {q['answered']}; {q['p50_ms']:.0f} / {q['p99_ms']:.0f} ms | 1.00x |",
        f"| while {r['in_room']} join: {j['answered']}; {j['p50_ms']:.0f} / {j['p99_ms']:.0f} ms "
        f"| {j['p99_ms'] / q['p99_ms']:.2f}x |",
        f"| while {r['in_room']} leave: {lv['answered']}; {lv['p50_ms']:.0f} / {lv['p99_ms']:.0f} ms "
        f"| {lv['p99_ms'] / q['p99_ms']:.2f}x |",
        "",
        f"- stays opened by {r['in_room']} joins: {r['stays_opened']}",
        f"- across a SIGTERM and restart: {r['stays_kept_across_restart']}/{r['in_room']} stays went on as one, "
        f"{r['stays_doubled']} doubled; {r['rows_total']} rows in all",
        f"- each of those stays recorded {r['restart_stay_seconds_min']:.2f}–{r['restart_stay_seconds_max']:.2f} s "
        f"from join to leave, the restart inside it; {r['wall_seconds']:.2f} s passed between sending the joins "
        "and sending the leaves",
        f"- resident memory {r['rss_before_mb']:.1f} MB before, {r['rss_in_room_mb']:.1f} MB with everyone in the room",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--in-room", type=int, default=200)
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    print(report(result))
    if args.json:
        print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
