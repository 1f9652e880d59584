"""A generated database of the size the benchmarks name: 1,000 cohorts, 100,000 members, 1,000,000
progress rows. Cohort 1 is the big one (10,090 members) in guild BIG_GUILD; the rest spread over
other guilds. Built with plain sqlite3 on top of the real migrations, in about ten seconds."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.roadmap import Roadmap
from bot.services.progress.tallies import count_all_stale

COHORTS = 1_000
MEMBERS = 100_000
EVENTS = 1_000_000
BIG_COHORT_MEMBERS = 10_090
USER_BASE = 300_000_000_000_000_000
BIG_GUILD = 500_000_000_000_000_000
CHANNEL_BASE = 600_000_000_000_000_000


def stamp(moment: datetime) -> str:
    """A UTC time as the bot stores it in SQLite."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


async def count_weeks(db: Path, now: datetime) -> None:
    """Count the weekly leaderboard tallies of `db`'s cohorts not counted yet, as the bot's start-up does."""
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    try:
        await count_all_stale(create_sessionmaker(engine), now)
    finally:
        await engine.dispose()


def count_first_dones(conn: sqlite3.Connection) -> None:
    """Mark each member's first done of each topic and keep the all-time counts on the memberships, as /done
    does: a topic counts once (bot.services.progress.advance.counts_once), at its earliest done."""
    conn.execute(
        "UPDATE progress_events SET first_done = 1 WHERE kind = 'done' AND NOT EXISTS ("
        " SELECT 1 FROM progress_events e WHERE e.membership_id = progress_events.membership_id"
        " AND e.topic_id = progress_events.topic_id AND e.kind = 'done'"
        " AND (e.at < progress_events.at OR (e.at = progress_events.at AND e.id < progress_events.id)))"
    )
    conn.execute(
        "UPDATE memberships SET"
        " done_count = (SELECT count(*) FROM progress_events e WHERE e.membership_id = memberships.id"
        " AND e.first_done),"
        " last_done_at = (SELECT max(e.at) FROM progress_events e WHERE e.membership_id = memberships.id"
        " AND e.first_done)"
    )


def generate(db: Path, roadmap: Roadmap, now: datetime, *, seed: int = 7) -> None:
    """Create `db` (migrated) and fill it. Member i of the big cohort has user id USER_BASE + i."""
    upgrade_to_head(f"sqlite+aiosqlite:///{db}")
    rng = random.Random(seed)
    topics = [ref.id for ref in roadmap.topics]
    later = stamp(now + timedelta(days=2))  # no nudge or leaderboard falls due while benchmarking
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executemany(
            "INSERT INTO roadmap_topics (roadmap_id, topic_id, position) VALUES ('default', ?, ?)",
            [(t, i) for i, t in enumerate(topics)],
        )
        conn.executemany(
            "INSERT INTO cohorts (id, guild_id, name, name_key, channel_id, start_date, timezone, nudge_time,"
            " leaderboard_weekday, leaderboard_time, pace, created_by, created_at, next_leaderboard_at)"
            " VALUES (?, ?, ?, ?, ?, '2026-09-07', 'Europe/Berlin', '09:00', 0, '18:00', 'standard', 1, ?, ?)",
            [
                (
                    c,
                    BIG_GUILD if c == 1 else BIG_GUILD + c,
                    f"cohort {c}",
                    f"cohort {c}",
                    CHANNEL_BASE + c,
                    stamp(now),
                    later,
                )
                for c in range(1, COHORTS + 1)
            ],
        )
        members = []
        for i in range(MEMBERS):
            cohort = 1 if i < BIG_COHORT_MEMBERS else 2 + (i - BIG_COHORT_MEMBERS) % (COHORTS - 1)
            members.append(
                (
                    i + 1,
                    cohort,
                    USER_BASE + i,
                    topics[rng.randrange(len(topics))],
                    stamp(now),
                    stamp(now - timedelta(days=60)),
                    later,
                    f"user{i}",  # the name the benchmark's fake Discord gives user USER_BASE + i
                )
            )
        conn.executemany(
            "INSERT INTO memberships (id, cohort_id, user_id, current_topic_id, topic_started_at, joined_at,"
            " nudges_enabled, show_on_leaderboard, dm_notice_pending, next_nudge_at, display_name, locale)"
            # Members who have used the bot have their language and name stored; their commands write
            # nothing for either.
            " VALUES (?, ?, ?, ?, ?, ?, 1, 1, 0, ?, ?, 'en')",
            members,
        )
        cohort_of = {m[0]: m[1] for m in members}

        def events() -> Iterator[tuple[int, int, str, str, str]]:
            for n in range(EVENTS):
                membership = n % MEMBERS + 1
                at = now - timedelta(seconds=1 + rng.randrange(56 * 24 * 3600))
                kind = "done" if rng.random() < 0.9 else "skip"
                yield (membership, cohort_of[membership], topics[rng.randrange(len(topics))], kind, stamp(at))

        conn.executemany(
            "INSERT INTO progress_events (membership_id, cohort_id, topic_id, kind, note, at)"
            " VALUES (?, ?, ?, ?, NULL, ?)",
            events(),
        )
        count_first_dones(conn)
        conn.commit()
    conn.close()
    # The weekly tallies as the bot counts them at start-up (bot.services.progress.tallies).
    asyncio.run(count_weeks(db, now))
    with sqlite3.connect(db) as conn:
        conn.execute("ANALYZE")
    conn.close()  # `with` only commits; closing checkpoints the WAL into the file before it is renamed
