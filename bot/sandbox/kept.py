"""What a sandbox database keeps between sessions (`studybot sandbox --db`): where the clock stopped,
the people it knows, and the ids the Discord stand-in handed out, so a second session goes on where the
first one stopped instead of meeting strangers, reusing ids or travelling back in time."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

# Moments the bot recorded: the clock stood at least at the latest of them.
_MOMENTS = (
    ("cohorts", "created_at"),
    ("memberships", "joined_at"),
    ("memberships", "topic_started_at"),
    ("progress_events", "at"),
    ("checkins", "at"),
    ("deliveries", "claimed_at"),
    ("deliveries", "finished_at"),
    ("cohort_pauses", "created_at"),
)
# Ids the stand-in handed out that the bot kept.
_IDS = (
    ("memberships", "dm_channel_id"),
    ("deliveries", "message_id"),
    ("cohort_links", "discord_id"),
    ("project_shares", "message_id"),
)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the kept database knows: their user id, the name they last used, their DM channel."""

    user_id: int
    display_name: str | None
    dm_channel_id: int | None


@dataclass(frozen=True, slots=True)
class Kept:
    """What a kept database says about the sessions before this one."""

    clock: datetime | None = None  # where the last session's clock stopped
    people: list[Person] = field(default_factory=list)
    highest_id: int = 0  # no new id may be at or below it


def clock_file(db: Path) -> Path:
    """Where a kept database's clock is written: next to it (the bot's own tables stay the bot's)."""
    return db.with_name(db.name + ".clock")


def save_clock(db: Path, moment: datetime) -> None:
    """Write where the clock stands, for the next session on the same database."""
    clock_file(db).write_text(moment.astimezone(UTC).isoformat() + "\n")


def read_kept(db: Path) -> Kept:
    """What the sessions before left in `db` (nothing for a new file)."""
    if not db.exists():
        return Kept()
    clock = _saved_clock(db)
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        latest = [_max(connection, table, column) for table, column in _MOMENTS if table in tables]
        recorded = max((_moment(value) for value in latest if value), default=None)
        ids = [_max(connection, table, column) for table, column in _IDS if table in tables]
        people: dict[int, Person] = {}
        if "memberships" in tables:
            for user_id, name, dm_channel_id in connection.execute(
                "SELECT user_id, display_name, dm_channel_id FROM memberships ORDER BY id"
            ):
                known = people.get(user_id)
                people[user_id] = Person(
                    user_id,
                    name or (known.display_name if known else None),
                    dm_channel_id or (known.dm_channel_id if known else None),
                )
    candidates = [moment for moment in (clock, recorded) if moment is not None]
    return Kept(
        clock=max(candidates, default=None),
        people=list(people.values()),
        highest_id=max((int(value) for value in ids if value), default=0),
    )


def _saved_clock(db: Path) -> datetime | None:
    try:
        moment = datetime.fromisoformat(clock_file(db).read_text().strip())
    except (OSError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def _max(connection: sqlite3.Connection, table: str, column: str) -> object:
    # Names come from the constants above, never from input.
    return connection.execute(f"SELECT max({column}) FROM {table}").fetchone()[0]


def _moment(value: object) -> datetime | None:
    """A stored UTC time (SQLite keeps them as naive ISO text)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
