"""Nudge fan-out: N due nudges against the fake Discord (own process) enforcing a global rate ceiling.

    python bench/fanout.py [--nudges 10000] [--ceiling 50]

Reports the achieved request rate against the ceiling (target >= 0.9, as for several processes in
bench/scaleout.py: the bot paces at 95% of it), 429s (<= 1 % of nudges), duplicates (0), lost (0)
and wall time. DM channels are cached as in steady state, so each nudge costs one request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from sqlalchemy import func, insert, select

from bench.common import fake_discord, machine
from bot.config import Settings
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import Cohort, Delivery, Membership, joining
from bot.process.app import apply_endpoints
from bot.process.runner import build_bot
from bot.roadmap import load_roadmap
from bot.sandbox.fake.__main__ import DM_BASE, USER_BASE
from bot.services.clock import SystemClock
from bot.services.cohorts.roadmap_sync import sync_roadmap
from bot.services.container import Services

ROOT = Path(__file__).resolve().parent.parent


async def run(nudges: int, ceiling: float, args_cap: float | None, info: dict, db: Path) -> dict:
    settings = Settings(
        _env_file=None,
        discord_token="bench",
        database_url=f"sqlite+aiosqlite:///{db}",
        discord_api_base_url=info["base_url"],
        **({"discord_requests_per_second": args_cap} if args_cap else {}),
    )
    apply_endpoints(settings)
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    roadmap = load_roadmap(ROOT / "roadmap.yaml")
    await sync_roadmap(sessions, roadmap)
    now = datetime.now(UTC)
    async with sessions() as session:
        cohort = Cohort(
            guild_id=info["guild_id"],
            name="bench",
            name_key="bench",
            channel_id=info["channel_id"],
            start_date=date(2026, 1, 5),
            timezone="UTC",
            nudge_time="09:00",
            leaderboard_weekday=0,
            leaderboard_time="18:00",
            pace="standard",
            created_by=1,
            created_at=now,
        )
        session.add(cohort)
        await session.flush()
        due = now - timedelta(minutes=1)
        await session.execute(
            insert(Membership),
            [
                {**joining(cohort.id, USER_BASE + i, "dns", now), "dm_channel_id": DM_BASE + i, "next_nudge_at": due}
                for i in range(nudges)
            ],
        )
        await session.commit()
    bot = build_bot(settings, Services.build(sessions, roadmap, SystemClock()), start_scheduler=False)
    await bot.login("bench")
    started = time.perf_counter()
    report = await bot.scheduled.fanout.run_once()
    wall = time.perf_counter() - started
    await bot.close()
    async with sessions() as session:
        statuses = dict((await session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))).all())
    await engine.dispose()
    async with aiohttp.ClientSession() as http, http.get(info["base_url"].rsplit("/api", 1)[0] + "/_fake/stats") as r:
        stats = await r.json()
    span = stats["last_message_at"] - stats["first_message_at"]
    rate = (stats["dm_messages"] - 1) / span if span > 0 else 0.0
    return {
        "nudges": nudges,
        "ceiling": ceiling,
        "sent": report.sent,
        "failed": report.failed,
        "wall_s": wall,
        "achieved_rate": rate,
        "ratio": rate / ceiling,
        "duplicates": stats["duplicates"],
        "lost": nudges - stats["recipients"],
        "rate_limited_429": stats["rate_limited"],
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nudges", type=int, default=10_000)
    parser.add_argument("--ceiling", type=float, default=50.0, help="the fake's global requests per second")
    parser.add_argument("--cap", type=float, default=None, help="the bot's own cap (default: its setting)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fake_discord(args.nudges, args.ceiling) as info:
        db = Path(tmp) / "bench.db"
        upgrade_to_head(f"sqlite+aiosqlite:///{db}")
        result = asyncio.run(run(args.nudges, args.ceiling, args.cap, info, db))
    print(machine())
    print(json.dumps(result, indent=2))
    ok = (
        result["ratio"] >= 0.9
        and result["rate_limited_429"] <= 0.01 * result["nudges"]
        and result["duplicates"] == 0
        and result["lost"] == 0
    )
    print("fan-out target met" if ok else "fan-out target MISSED")


if __name__ == "__main__":
    main()
