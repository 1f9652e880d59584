"""Parsing and checking option values typed by people, with messages that say what is accepted."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.db.models import NOTE_MAX_LENGTH
from bot.i18n import t
from bot.services.errors import InvalidInput, did_you_mean

PACES = ("relaxed", "standard", "intense")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
COHORT_NAME_MAX = 50

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_timezone(value: str) -> str:
    """An IANA timezone name such as Europe/Berlin, returned in its canonical spelling."""
    value = value.strip()
    try:
        if "/" in value or value.upper() == "UTC":
            ZoneInfo(value)
            return "UTC" if value.upper() == "UTC" else value
    except (ZoneInfoNotFoundError, ValueError):
        pass
    by_fold = {name.casefold(): name for name in available_timezones()}
    if value.casefold() in by_fold:
        return by_fold[value.casefold()]

    close = difflib.get_close_matches(value, list(by_fold.values()), n=3, cutoff=0.6)
    raise InvalidInput(
        t(
            "`{value}` is not a timezone I know. Use an IANA name such as "
            "`Europe/Berlin`, `America/New_York` or `UTC`.{value2}",
            value=value,
            value2=did_you_mean(close),
        )
    )


def parse_hhmm(value: str, what: str = "time") -> str:
    """A 24-hour HH:MM time; '9:00' is accepted and returned as '09:00'."""
    value = value.strip()
    if re.fullmatch(r"\d:[0-5]\d", value):
        value = "0" + value
    if not _HHMM.match(value):
        raise InvalidInput(
            t(
                "`{value}` is not a valid {what}. Use 24-hour HH:MM, for example `09:00` or `18:30`.",
                value=value,
                what=what,
            )
        )
    return value


def parse_date(value: str, what: str = "date") -> date:
    """A calendar date written YYYY-MM-DD."""
    value = value.strip()
    try:
        if not _ISO_DATE.match(value):
            raise ValueError
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(
            t(
                "`{value}` is not a valid {what}. Use YYYY-MM-DD, for example `2026-12-01`.",
                value=value,
                what=what,
            )
        ) from None


def parse_weekday(value: str) -> int:
    """A weekday name (or its first three letters) as 0 = Monday ... 6 = Sunday."""
    key = value.strip().casefold()
    for index, name in enumerate(WEEKDAYS):
        if key in (name, name[:3]):
            return index
    raise InvalidInput(
        t(
            "`{value}` is not a weekday. Use one of: {value2}.",
            value=value,
            value2=", ".join(d.capitalize() for d in WEEKDAYS),
        )
    )


def parse_pace(value: str) -> str:
    """One of relaxed, standard or intense."""
    key = value.strip().casefold()
    if key not in PACES:
        raise InvalidInput(
            t(
                "`{value}` is not a pace. Use `relaxed` (the longest budget), "
                "`standard` (the midpoint) or `intense` (the shortest).",
                value=value,
            )
        )
    return key


def parse_cohort_name(value: str) -> str:
    """A cohort name: 1-50 characters, no line breaks."""
    name = " ".join(value.split())
    if not name or len(name) > COHORT_NAME_MAX:
        raise InvalidInput(
            t("A cohort name must be 1 to {COHORT_NAME_MAX} characters long.", COHORT_NAME_MAX=COHORT_NAME_MAX)
        )
    return name


def validate_note(note: str | None) -> str | None:
    """A note of at most 500 characters; blank becomes None."""
    if note is None or not note.strip():
        return None
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            t(
                "Your note is {value} characters long; notes can be at most "
                "{NOTE_MAX_LENGTH}. Shorten it and try again.",
                value=len(note),
                NOTE_MAX_LENGTH=NOTE_MAX_LENGTH,
            )
        )
    return note


def name_key(name: str) -> str:
    """The case-insensitive key a cohort name is unique by."""
    return " ".join(name.split()).casefold()
