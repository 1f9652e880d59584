"""Wall-clock arithmetic for the scheduler: local times in IANA zones, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_time(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


def local_instant(day: date, hhmm: str, timezone: str) -> datetime:
    """`day` at `hhmm` in `timezone`, as UTC.

    A time that does not exist that day (the spring-forward gap) resolves to the same wall time
    with the offset from before the change, i.e. one hour later in real time; a time that occurs
    twice (the autumn fold) resolves to its first occurrence. Either way: exactly one instant a day.
    """
    local = datetime.combine(day, parse_time(hhmm), tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def local_date(moment: datetime, timezone: str) -> date:
    """The calendar date of `moment` in `timezone`."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def next_daily(after: datetime, hhmm: str, timezone: str, *, not_before: date | None = None) -> datetime:
    """The first instant strictly after `after` at which it is `hhmm` in `timezone`.

    `not_before` is a local date the result may not fall on an earlier day than.
    """
    day = local_date(after, timezone) - timedelta(days=1)
    if not_before is not None and day < not_before:
        day = not_before
    while True:
        candidate = local_instant(day, hhmm, timezone)
        if candidate > after:
            return candidate
        day += timedelta(days=1)


def next_weekly(after: datetime, weekday: int, hhmm: str, timezone: str) -> datetime:
    """The first instant strictly after `after` that is weekday `weekday` (0 = Monday) at `hhmm` locally."""
    day = local_date(after, timezone) - timedelta(days=1)
    while True:
        if day.weekday() == weekday:
            candidate = local_instant(day, hhmm, timezone)
            if candidate > after:
                return candidate
        day += timedelta(days=1)


def previous_weekly(at_or_before: datetime, weekday: int, hhmm: str, timezone: str) -> datetime:
    """The last weekly instant at or before `at_or_before`."""
    day = local_date(at_or_before, timezone) + timedelta(days=1)
    while True:
        if day.weekday() == weekday:
            candidate = local_instant(day, hhmm, timezone)
            if candidate <= at_or_before:
                return candidate
        day -= timedelta(days=1)
