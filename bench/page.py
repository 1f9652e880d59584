"""The web page of a big cohort: how long it takes to read and render, in the process and over HTTP.

    python bench/page.py [--members 1000] [--runs 21]

Builds a migrated SQLite database with one cohort of `--members` members on every stage of the roadmap
(a tenth finished, a tenth hidden from the leaderboard), about eight topics done each over eight weeks,
check-ins, project shares and a planned break; then times, `--runs` times each (first, median, p95, max):
- `render`: the page's data (bot.services.pages.content) and its HTML (bot.web), in the process;
- `http`: a GET of the page's link from a client, through the real server (bot.web.server) on loopback.
The target (issue 29): the page of a 1,000-member cohort in under 100 ms on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine, pct
from bench.generate import count_first_dones, count_weeks, stamp
from bot import i18n
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import Cohort
from bot.metrics import Metrics
from bot.roadmap import Roadmap, load_roadmap
from bot.services.clock import FixedClock
from bot.services.container import Services
from bot.services.pages.links import LinkSigner, PageKey
from bot.web.pages import cohort_context
from bot.web.server import PageServer, PageSite

SECRET = "bench-page-secret-" + "x" * 32


def seed(db: Path, roadmap: Roadmap, members: int, now: datetime, rng: random.Random) -> None:
    """One cohort (id 1) of `members` members with eight weeks of history."""
    upgrade_to_head(f"sqlite+aiosqlite:///{db}")
    topics = [ref.id for ref in roadmap.topics]
    stages = [stage.id for stage in roadmap.stages]
    later = stamp(now + timedelta(days=2))
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO roadmap_topics (roadmap_id, topic_id, position) VALUES ('default', ?, ?)",
            [(t, i) for i, t in enumerate(topics)],
        )
        conn.execute(
            "INSERT INTO cohorts (id, guild_id, name, name_key, channel_id, start_date, timezone, nudge_time,"
            " leaderboard_weekday, leaderboard_time, pace, created_by, created_at, next_leaderboard_at,"
            " showcase, page_version) VALUES (1, 1, 'big', 'big', 2, ?, 'Europe/Berlin', '09:00', 0, '18:00',"
            " 'standard', 1, ?, ?, 1, 1)",
            ((now - timedelta(days=60)).date().isoformat(), stamp(now), later),
        )
        conn.execute(
            "INSERT INTO cohort_pauses (cohort_id, start_date, end_date, created_by, created_at)"
            " VALUES (1, ?, ?, 1, ?)",
            ((now + timedelta(days=20)).date().isoformat(), (now + timedelta(days=33)).date().isoformat(), stamp(now)),
        )
        rows = []
        for i in range(members):
            finished = i % 10 == 9
            rows.append(
                (
                    i + 1,
                    1_000 + i,
                    None if finished else topics[rng.randrange(len(topics))],
                    stamp(now - timedelta(days=rng.randrange(30))),
                    stamp(now - timedelta(days=60)),
                    stamp(now - timedelta(days=1)) if finished else None,
                    0 if i % 10 == 3 else 1,
                    later,
                    f"member {i}",
                )
            )
        conn.executemany(
            "INSERT INTO memberships (id, cohort_id, user_id, current_topic_id, topic_started_at, joined_at,"
            " finished_at, show_on_leaderboard, nudges_enabled, dm_notice_pending, next_nudge_at, display_name,"
            " locale) VALUES (?, 1, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?, 'en')",
            rows,
        )
        conn.executemany(
            "INSERT INTO progress_events (membership_id, cohort_id, topic_id, kind, note, at) VALUES (?, 1, ?, ?,"
            " NULL, ?)",
            [
                (
                    m + 1,
                    topics[rng.randrange(len(topics))],
                    "done" if rng.random() < 0.9 else "skip",
                    stamp(now - timedelta(seconds=1 + rng.randrange(56 * 24 * 3600))),
                )
                for m in range(members)
                for _ in range(8)
            ],
        )
        count_first_dones(conn)
        conn.executemany(
            "INSERT INTO checkins (membership_id, at, minutes) VALUES (?, ?, ?)",
            [
                (m + 1, stamp(now - timedelta(hours=rng.randrange(56 * 24))), rng.randrange(10, 120))
                for m in range(0, members, 3)
                for _ in range(4)
            ],
        )
        conn.executemany(
            "INSERT INTO project_shares (membership_id, cohort_id, stage_id, url, channel_id, message_id, shared_at)"
            " VALUES (?, 1, ?, ?, 2, ?, ?)",
            [
                (
                    m + 1,
                    stages[m % len(stages)],
                    f"https://example.org/p/{m}",
                    10_000 + m,
                    stamp(now - timedelta(days=m % 40)),
                )
                for m in range(0, members, 20)
            ],
        )
        conn.execute("ANALYZE")
    conn.close()
    asyncio.run(count_weeks(db, now))


async def timings(db: Path, roadmap: Roadmap, now: datetime, runs: int) -> dict:
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    services = Services.build(create_sessionmaker(engine), roadmap, FixedClock(now))
    signer = LinkSigner(SECRET)
    site = PageSite(services, signer, Metrics(), per_minute=10_000)
    server = PageServer(site, "127.0.0.1", 0)
    await server.start()
    async with create_sessionmaker(engine)() as session:
        cohort = await session.get(Cohort, 1)
    assert cohort is not None
    render: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        with i18n.using("en"):
            page = await services.page_content.cohort_page(cohort)
            html = site.html("cohort.html", cohort_context(page), "en")
        render.append(1000 * (time.perf_counter() - started))
    url = f"http://127.0.0.1:{server.port}{signer.path(PageKey('c', 1, 1))}"
    http: list[float] = []
    async with aiohttp.ClientSession() as client:
        for _ in range(runs):
            started = time.perf_counter()
            async with client.get(url) as response:
                body = await response.read()
                assert response.status == 200, response.status
            http.append(1000 * (time.perf_counter() - started))
    await server.stop()
    await engine.dispose()

    def figures(values: list[float]) -> dict:
        return {
            "first_ms": round(values[0], 1),
            "median_ms": round(statistics.median(values[1:]), 1),
            "p95_ms": round(pct(values[1:], 0.95), 1),
            "max_ms": round(max(values[1:]), 1),
        }

    return {"render": figures(render), "http": figures(http), "html_kb": round(len(body) / 1024, 1), "chars": len(html)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    roadmap = load_roadmap(ROOT / "roadmap.yaml")
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a fixed instant: the same history every run
    with tempfile.TemporaryDirectory(prefix="studybot-page-bench-") as folder:
        db = Path(folder) / "page.db"
        seed(db, roadmap, args.members, now, random.Random(29))
        result = asyncio.run(timings(db, roadmap, now, args.runs))
    print(json.dumps({"machine": machine(), "members": args.members, **result}, indent=2))


if __name__ == "__main__":
    main()
