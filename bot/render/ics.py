"""A cohort's calendar as an iCalendar file (RFC 5545), for the calendar apps members already use.

One all-day event per stage over the days the cohort calendar gives it (its pace applied, planned
breaks skipped, so a break inside a stage stretches it), one per planned break, and the weekly
leaderboard as a weekly event in the cohort's timezone (with its VTIMEZONE). Every event's UID is
derived from the cohort and what the event is, never from when the file was made: importing a newer
file updates the events of the older one instead of adding them twice."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import i18n
from bot.i18n import t
from bot.roadmap import Roadmap
from bot.services.cohorts.registry import CohortOverview
from bot.services.cohorts.schedule import next_weekly
from bot.services.progress.pace import CohortCalendar, stage_weeks

if TYPE_CHECKING:
    from icalendar import Event

LEADERBOARD_MINUTES = 30  # how long the weekly leaderboard's event lasts in a calendar
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def cohort_ics(overview: CohortOverview, roadmap: Roadmap, now: datetime) -> bytes:
    """The cohort's calendar file, worded in the server's language (the cohort's `locale`)."""
    # Loaded on first use (about 3 MB with python-dateutil): most processes never export a calendar.
    from icalendar import Calendar, vText

    cohort = overview.cohort
    calendar = CohortCalendar.build(roadmap, cohort.start_date, cohort.pace, overview.paused)
    uid = f"cohort-{cohort.id}.guild-{cohort.guild_id}@studybot"
    # Later exports carry a higher SEQUENCE, so an app that imports one over the other takes the newer.
    sequence = int(now.timestamp() // 60)
    with i18n.using(cohort.locale):
        ics = Calendar()
        ics.add("prodid", "-//studybot//cohort calendar//EN")
        ics.add("version", "2.0")
        ics.add("calscale", "GREGORIAN")
        ics.add("method", "PUBLISH")
        # An X- property is written as given unless typed: as TEXT, `;`, `,` and `\` are escaped (RFC 5545 3.3.11).
        ics.add("x-wr-calname", vText(t("{cohort} study calendar", cohort=cohort.name)))
        ics.add("x-wr-timezone", cohort.timezone)
        for number, stage in enumerate(roadmap.stages, 1):
            first, last = calendar.stage_days(stage.id)
            topics = "\n".join(f"• {topic.title}" for topic in stage.topics)
            weeks = i18n.weeks(stage_weeks(stage, cohort.pace))
            event = _event(f"stage-{stage.id}.{uid}", now, sequence)
            summary = t("{cohort} · stage {number}: {stage}", cohort=cohort.name, number=number, stage=stage.title)
            event.add("summary", summary)
            event.add("description", t("{weeks} in the cohort's calendar.", weeks=weeks) + "\n" + topics)
            event.add("dtstart", first)
            event.add("dtend", last + timedelta(days=1))  # all-day events end on the day after
            event.add("transp", "TRANSPARENT")  # a study stage does not make anyone busy
            ics.add_component(event)
        for start, end in overview.pauses:
            event = _event(f"break-{start.isoformat()}.{uid}", now, sequence)
            event.add("summary", t("{cohort} · planned break", cohort=cohort.name))
            event.add("description", t("No nudges; the calendar and streaks wait."))
            event.add("dtstart", start)
            event.add("dtend", end + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
            ics.add_component(event)
        ics.add_component(_leaderboard(overview, calendar, f"leaderboard.{uid}", now, sequence))
    # The zone's rules over the calendar's own years (its last leaderboard is a week after the last day).
    ics.add_missing_timezones(
        first_date=cohort.start_date - timedelta(days=366), last_date=calendar.last_day + timedelta(days=366)
    )
    return ics.to_ical()


def _event(uid: str, now: datetime, sequence: int) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", sequence)
    return event


def _leaderboard(overview: CohortOverview, calendar: CohortCalendar, uid: str, now: datetime, sequence: int) -> Event:
    """The weekly leaderboard, from the first one on or after the start date to the week after the
    calendar's last day (the week that last day closes)."""
    cohort = overview.cohort
    zone = ZoneInfo(cohort.timezone)
    day_before = datetime.combine(cohort.start_date, time(0), zone) - timedelta(microseconds=1)
    first = next_weekly(day_before, cohort.leaderboard_weekday, cohort.leaderboard_time, cohort.timezone)
    until = datetime.combine(calendar.last_day + timedelta(days=7), time(23, 59, 59), zone).astimezone(UTC)
    event = _event(uid, now, sequence)
    event.add("summary", t("{cohort} · weekly leaderboard", cohort=cohort.name))
    event.add("description", t("The week's leaderboard is posted in the cohort's channel."))
    event.add("dtstart", first.astimezone(zone))
    event.add("duration", timedelta(minutes=LEADERBOARD_MINUTES))
    event.add("rrule", {"freq": "weekly", "byday": _WEEKDAYS[cohort.leaderboard_weekday], "until": until})
    return event
