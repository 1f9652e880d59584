"""Parsing and checking option values typed by people, with messages that say what is accepted."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from bot import lookalike, usertext
from bot.db.models import NOTE_MAX_LENGTH, PROJECT_URL_MAX
from bot.i18n import Text
from bot.services.errors import InvalidInput
from bot.services.timezones import parse_timezone
from bot.usertext import code

PACES = ("relaxed", "standard", "intense")
# What a leaderboard ranks by: topics done (skips never count), or minutes studied (bot.services.study).
METRICS = ("topics", "minutes")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
COHORT_NAME_MAX = 50
# How far from today a cohort's calendar may start, and a break lie: a typo like 9999 or 1900 is refused.
DAYS_BACK = 365
DAYS_AHEAD = 2 * 365

__all__ = ["parse_timezone"]  # re-exported: callers parse every option from here

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_range(value: int, low: int, high: int, what: Text) -> int:
    """`value` when low <= value <= high; else InvalidInput naming the range (a client that ignores the
    option's declared bounds gets the same answer Discord's own client would have shown)."""
    if not low <= value <= high:
        raise InvalidInput(
            Text(
                "`{value}` is not accepted for {what}: give a number from {low} to {high}.",
                value=value,
                what=what,
                low=low,
                high=high,
            )
        )
    return value


def parse_hhmm(value: str, what: Text) -> str:
    """A 24-hour HH:MM time; '9:00' is accepted and returned as '09:00'."""
    value = value.strip()
    if re.fullmatch(r"\d:[0-5]\d", value):
        value = "0" + value
    if not _HHMM.match(value):
        raise InvalidInput(
            Text(
                "`{value}` is not a valid {what}. Use 24-hour HH:MM, for example `09:00` or `18:30`.",
                value=code(value),
                what=what,
            )
        )
    return value


def parse_date(value: str, what: Text) -> date:
    """A calendar date written YYYY-MM-DD; a well-written day that does not exist is told why."""
    value = value.strip()
    if _ISO_DATE.match(value):
        year, month, day = (int(part) for part in value.split("-"))
        if year >= 1 and not 1 <= month <= 12:
            raise InvalidInput(
                Text(
                    "`{value}` is not a valid {what}: there is no month {month} (months run from 01 to 12).",
                    value=value,
                    what=what,
                    month=f"{month:02d}",
                )
            )
        if year >= 1 and not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise InvalidInput(
                Text(
                    "`{value}` is not a valid {what}: month {month} of {year} has {days} days.",
                    value=value,
                    what=what,
                    month=f"{month:02d}",
                    year=year,
                    days=calendar.monthrange(year, month)[1],
                )
            )
    try:
        if not _ISO_DATE.match(value):
            raise ValueError
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(
            Text(
                "`{value}` is not a valid {what}. Use YYYY-MM-DD, for example `2026-12-01`.",
                value=code(value),
                what=what,
            )
        ) from None


def parse_calendar_date(value: str, what: Text, today: date) -> date:
    """A YYYY-MM-DD date within a year before and two years after `today` (a calendar's start, a break)."""
    day = parse_date(value, what)
    first, last = today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)
    if not first <= day <= last:
        raise InvalidInput(
            Text(
                "`{value}` is too far from today for a {what}: use a date from {first} to {last}.",
                value=day.isoformat(),
                what=what,
                first=first.isoformat(),
                last=last.isoformat(),
            )
        )
    return day


def parse_weekday(value: str) -> int:
    """A weekday name (or its first three letters) as 0 = Monday ... 6 = Sunday."""
    key = value.strip().casefold()
    for index, name in enumerate(WEEKDAYS):
        if key in (name, name[:3]):
            return index
    raise InvalidInput(
        Text(
            "`{value}` is not a weekday. Use one of: {value2}.",
            value=code(value),
            value2=", ".join(d.capitalize() for d in WEEKDAYS),
        )
    )


def parse_metric(value: str) -> str:
    """One of topics or minutes."""
    key = value.strip().casefold()
    if key not in METRICS:
        raise InvalidInput(
            Text(
                "`{value}` is not something a leaderboard ranks by. Use `topics` (topics done) or `minutes` "
                "(minutes studied).",
                value=code(value),
            )
        )
    return key


def parse_pace(value: str) -> str:
    """One of relaxed, standard or intense."""
    key = value.strip().casefold()
    if key not in PACES:
        raise InvalidInput(
            Text(
                "`{value}` is not a pace. Use `relaxed` (the longest budget), "
                "`standard` (the midpoint) or `intense` (the shortest).",
                value=code(value),
            )
        )
    return key


def parse_on_off(value: str, option: str) -> bool:
    """`on` or `off` (any case) as typed into `option`."""
    key = value.strip().casefold()
    if key not in ("on", "off"):
        raise InvalidInput(
            Text("`{value}` is not accepted for `{option}`: use `on` or `off`.", value=code(value), option=option)
        )
    return key == "on"


def parse_status(value: str) -> str:
    """The status /cohort edit can set: `active` (reopening an archived cohort; archiving asks first,
    through /cohort archive)."""
    key = value.strip().casefold()
    if key != "active":
        raise InvalidInput(
            Text(
                "`{value}` is not a status you can set here. Use `active` to reopen an archived cohort; "
                "`/cohort archive` archives one.",
                value=code(value),
            )
        )
    return key


def parse_cohort_name(value: str) -> str:
    """A cohort name: NFKC-normalised, 1-50 characters, every one visible, no backtick."""
    hidden = list(dict.fromkeys(usertext.invisible_characters(value) + lookalike.ignorables_in(value)))
    if hidden:
        raise InvalidInput(
            Text(
                "A cohort name cannot contain invisible or control characters ({chars}). "
                "Use letters, digits, spaces and punctuation.",
                chars=usertext.describe(hidden),
            )
        )
    name = usertext.normalize_name(value)
    # The key is what the database stores beside the name; case-folding can lengthen it (ß -> ss).
    if not name or len(name) > COHORT_NAME_MAX or len(usertext.name_key(name)) > COHORT_NAME_MAX:
        raise InvalidInput(
            Text("A cohort name must be 1 to {COHORT_NAME_MAX} characters long.", COHORT_NAME_MAX=COHORT_NAME_MAX)
        )
    if "`" in name:
        raise InvalidInput(Text("A cohort name cannot contain a backtick (`` ` ``)."))
    if not any(unicodedata.category(c)[0] in "LNSP" for c in name):
        raise InvalidInput(Text("A cohort name needs at least one letter, digit or symbol."))
    return name


def validate_note(note: str | None, *, max_lines: int | None = None) -> str | None:
    """A note of at most 500 characters (and `max_lines` lines, for a public post), without control
    characters; blank becomes None."""
    if note is None or not note.strip():
        return None
    note = note.strip()
    lines = len(note.splitlines())  # \n, and the separators Unicode draws as line breaks too
    if max_lines is not None and lines > max_lines:
        raise InvalidInput(
            Text(
                "Your note has {value} lines; a note under a public post can have at most {limit}. "
                "Join the lines and try again.",
                value=lines,
                limit=max_lines,
            )
        )
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            Text(
                "Your note is {value} characters long; notes can be at most "
                "{NOTE_MAX_LENGTH}. Shorten it and try again.",
                value=len(note),
                NOTE_MAX_LENGTH=NOTE_MAX_LENGTH,
            )
        )
    hidden = usertext.control_characters(note)
    if hidden:
        raise InvalidInput(
            Text("Your note contains control characters ({chars}). Type plain text.", chars=usertext.describe(hidden))
        )
    return note


def name_key(name: str) -> str:
    """The key a cohort name is unique by: normalised (NFKC) and case-folded, so `ｓｐｒｉｎｇ`,
    `Spring` and `spring` are one cohort."""
    return usertext.name_key(name)


# A link's host (and port) as browsers show one: a name, IPv4 or bracketed IPv6 address.
_HOST = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?\.?)+(?::\d{1,5})?|\[[0-9A-Fa-f:.]+\](?::\d{1,5})?")


def parse_project_url(value: str) -> str:
    """A link to a project: `http` or `https`, a host, at most 512 characters, printable ASCII without
    spaces (as a browser copies a link: anything else percent-encoded)."""
    url = value.strip()
    problem = None
    if len(usertext.safe_link(url)) > PROJECT_URL_MAX:
        problem = Text("it is {value} characters long", value=len(url))
    elif any(not ("!" <= ch <= "~") for ch in url):
        problem = Text("it has spaces, control characters or characters a link cannot hold")
    else:
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
        except ValueError:  # a bracketed host that is not an IPv6 address
            parts, hostname = None, None
        if parts is None or parts.scheme.casefold() not in ("http", "https") or not hostname:
            problem = Text("it does not start with `https://` and a host")
        elif "@" in parts.netloc:
            # `https://discord.com@evil.example/` leads to evil.example: a name before `@` only disguises.
            problem = Text("it has a name and `@` before its host, which hides where it really leads")
        elif not _HOST.fullmatch(parts.netloc):
            problem = Text("its host is not a name such as `example.org`")
    if problem is None:
        return usertext.safe_link(url)
    raise InvalidInput(
        Text(
            "`{value}` is not a link I can share: {problem}. Give the link to your project as your browser "
            "shows it, starting with `https://` (or `http://`), up to {limit} characters.",
            value=code(url),
            problem=problem,
            limit=PROJECT_URL_MAX,
        )
    )
