"""The rules of study time, written once: what a stay in a study room counts, on which day and topic.

- A stay shorter than MIN_STAY counts nothing (dropping in to say hello is not studying). The stay is the
  whole time in the room, however often the topic changed during it.
- A member alone in the room counts: studying alone with the door open is what a study room is for.
- Only time in the room, not self- or server-deafened, counts; the server's AFK channel is never a room.
- Minutes fall on the member's local day (their timezone, else the cohort's): a stay across midnight is
  split there, so each day gets its own part.
- A day has 1,440 minutes, check-ins and study rooms together: the room's minutes stop counting where
  a day's check-ins leave none.
- The topic a minute falls on is the one the member was on then: /done in the room splits the stay.
- A day with counted room minutes keeps the streak, as a done topic and a check-in do.
- A finished focus round (bot.services.study.focus) is study time as a stay in the room is, with the
  same minimum; a minute both cover (a group timer in the room) counts once, on the topic of the one
  that began first.

Counting happens when time is read, never stored: a change of timezone re-reads every day the same
way for streaks, /progress and the check-in cap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIN_STAY = timedelta(minutes=5)
DAY_MINUTES = 1440
# A restart this short, with the member in the room before and after it, does not end their stay: the
# voice state Discord lists when the bot is back is the one it had.
RESTART_GRACE = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Stretch:
    """One row of study_sessions: time in the room, or a focus round, on one topic (`ended_at` None: still
    in the room)."""

    topic_id: str | None
    stay_started_at: datetime
    started_at: datetime
    ended_at: datetime | None
    source: str = "room"


@dataclass(frozen=True, slots=True)
class Piece:
    """Counted seconds of room time on one local day and one topic, starting at `started_at`."""

    day: date
    topic_id: str | None
    started_at: datetime
    seconds: int


def _split_at_midnights(start: datetime, end: datetime, zone: ZoneInfo) -> Iterable[tuple[date, datetime, datetime]]:
    while start < end:
        day = start.astimezone(zone).date()
        # In UTC: two datetimes sharing a zone subtract as wall clocks, and a daylight-saving night is not 24 h.
        midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        until = min(end, midnight)
        if until <= start:  # a midnight inside a daylight-saving gap: step over it
            until = min(end, start + timedelta(hours=1))
        yield day, start, until
        start = until


def counted(
    stretches: Iterable[Stretch], checkin_minutes: Mapping[date, int], timezone: str, now: datetime
) -> list[Piece]:
    """The room and focus time that counts, as pieces in time order (see the module's rules). An open stretch
    counts until `now`; `checkin_minutes`: minutes checked in by hand on each local day."""
    rows = list(stretches)
    stay_end: dict[tuple[str, datetime], datetime] = {}
    for row in rows:
        end = min(row.ended_at or now, now)
        key = (row.source, row.stay_started_at)
        stay_end[key] = max(stay_end.get(key, end), end)
    zone = ZoneInfo(timezone)
    pieces: list[tuple[date, datetime, datetime, str | None]] = []
    for row in rows:
        if stay_end[(row.source, row.stay_started_at)] - row.stay_started_at < MIN_STAY:
            continue
        end = min(row.ended_at or now, now)
        pieces.extend((day, a, b, row.topic_id) for day, a, b in _split_at_midnights(row.started_at, end, zone))
    pieces.sort(key=lambda p: (p[1], p[2]))
    left: dict[date, int] = {}
    result: list[Piece] = []
    covered: datetime | None = None  # the end of the time counted so far: a minute counts once
    for day, start, end, topic_id in pieces:
        if covered is not None:
            start = max(start, covered)
            if end <= start:
                continue
        covered = end if covered is None else max(covered, end)
        budget = left.get(day, max(0, DAY_MINUTES - checkin_minutes.get(day, 0)) * 60)
        seconds = min(int((end - start).total_seconds()), budget)
        left[day] = budget - seconds
        if seconds > 0:
            result.append(Piece(day, topic_id, start, seconds))
    return result


def minutes_by_day(pieces: Iterable[Piece]) -> dict[date, int]:
    """Whole minutes of room time on each local day (seconds summed first, so parts add up)."""
    seconds: dict[date, int] = defaultdict(int)
    for piece in pieces:
        seconds[piece.day] += piece.seconds
    return {day: total // 60 for day, total in seconds.items()}


def minutes_by_topic(pieces: Iterable[Piece]) -> dict[str | None, int]:
    """Whole minutes of room time on each topic (None: after the last one)."""
    seconds: dict[str | None, int] = defaultdict(int)
    for piece in pieces:
        seconds[piece.topic_id] += piece.seconds
    return {topic: total // 60 for topic, total in seconds.items()}
