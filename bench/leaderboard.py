"""The weekly leaderboard of the 10,090-member cohort as its week's history grows.

    python bench/leaderboard.py [--db bench/.cache/bench.db] [--grow 0,4,16]

On a copy of the benchmark database (made by bench/interactions.py), for each factor in `--grow`:
give every member of the big cohort that many more topics done in the current week, count the
week's tallies again as the bot's start-up does (`bot.services.progress.tallies`), then compute the week's
board 21 times: first, median, p95. Flat means the cost follows the members, not the events.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine, pct
from bench.generate import count_weeks, stamp
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Cohort
from bot.roadmap import load_roadmap
from bot.services.clock import SystemClock
from bot.services.container import Services
from bot.services.progress.leaderboard import week_before


async def board_timing(db: Path, now: datetime) -> dict:
    """The weekly board of cohort 1 (the week that ends at `now`), computed 21 times: the first and
    the median, p95 and max of the others (ms), and how many were ranked."""
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    services = Services.build(create_sessionmaker(engine), load_roadmap(ROOT / "roadmap.yaml"), SystemClock())
    async with create_sessionmaker(engine)() as session:
        cohort = await session.get(Cohort, 1)
    timings = []
    for _ in range(21):
        started = time.perf_counter()
        board = await services.leaderboards.weekly(cohort, now)
        timings.append(1000 * (time.perf_counter() - started))
    await engine.dispose()
    return {
        "ranked": board.ranked if hasattr(board, "ranked") else len(board.entries),
        "first_ms": round(timings[0], 1),
        "median_ms": round(statistics.median(timings[1:]), 1),
        "p95_ms": round(pct(timings[1:], 0.95), 1),
        "max_ms": round(max(timings[1:]), 1),
    }


def _week_start(db: Path, now: datetime) -> datetime:
    with sqlite3.connect(db) as conn:
        weekday, hhmm, timezone = conn.execute(
            "SELECT leaderboard_weekday, leaderboard_time, timezone FROM cohorts WHERE id = 1"
        ).fetchone()
    return week_before(SimpleNamespace(leaderboard_weekday=weekday, leaderboard_time=hhmm, timezone=timezone), now)


def _grow(db: Path, now: datetime, extra_per_member: int) -> None:
    """Every member of cohort 1 did `extra_per_member` more topics since the week began (the weekly
    board does not read the all-time counts, which are left as they were)."""
    start = _week_start(db, now)
    with sqlite3.connect(db) as conn:
        span = int((now - start).total_seconds()) - 1
        members = [m for (m,) in conn.execute("SELECT id FROM memberships WHERE cohort_id = 1")]
        rows = [
            (m, "dns", stamp(start + timedelta(seconds=(m * 7919 + k * 104729) % span)))
            for m in members
            for k in range(extra_per_member)
        ]
        conn.executemany(
            "INSERT INTO progress_events (membership_id, cohort_id, topic_id, kind, note, at)"
            " VALUES (?, 1, ?, 'done', NULL, ?)",
            rows,
        )
        conn.execute("UPDATE cohorts SET tallied_week = NULL WHERE id = 1")  # to be counted again
    asyncio.run(count_weeks(db, now))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(ROOT / "bench" / ".cache" / "bench.db"))
    parser.add_argument("--grow", default="0,4,16", help="more topics done per member this week, per step")
    args = parser.parse_args()
    source = Path(args.db)
    if not source.exists():
        sys.exit(f"{source} is missing: run bench/interactions.py once to generate it")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "board.db"
        shutil.copy(source, db)
        with sqlite3.connect(db) as conn:  # the week the generated history ends in, as if posted now
            (latest,) = conn.execute("SELECT max(at) FROM progress_events").fetchone()
        now = datetime.fromisoformat(latest).replace(tzinfo=UTC) + timedelta(seconds=1)
        grown = 0
        for step in (int(x) for x in args.grow.split(",")):
            if step > grown:
                _grow(db, now, step - grown)
                grown = step
            with sqlite3.connect(db) as conn:
                (events,) = conn.execute(
                    "SELECT count(*) FROM progress_events WHERE cohort_id = 1 AND at >= ?",
                    (stamp(_week_start(db, now)),),
                ).fetchone()
                conn.execute("ANALYZE")
            results.append({"extra_per_member": step, "week_events": events, **asyncio.run(board_timing(db, now))})
    print(machine())
    print("| more topics per member this week | events in the week | ranked | first | median | p95 |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['extra_per_member']} | {r['week_events']:,} | {r['ranked']:,} | {r['first_ms']} ms "
            f"| {r['median_ms']} ms | {r['p95_ms']} ms |"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
