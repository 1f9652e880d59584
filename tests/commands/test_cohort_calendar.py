"""/cohort calendar: an .ics file that parses back with a maintained iCalendar library, one event per
stage over the days the cohort calendar gives it (pace applied, breaks skipped), each break, and the
weekly leaderboard in the cohort's timezone; UIDs stable across exports, so a re-import updates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar.parser import unescape_char

from bot.services.progress.pace import CohortCalendar
from tests.harness import allow_command


async def calendar_file(h, cohort: str = "spring") -> tuple[object, Calendar]:
    reply = await h.run(h.mod, "cohort calendar", cohort=cohort)
    [attachment] = reply.message.attachments
    assert attachment["filename"] == f"{cohort}.ics" and reply.message.ephemeral
    return reply, Calendar.from_ical(h.fake.files[int(attachment["id"])])


def events(ics: Calendar) -> dict[str, object]:
    return {str(event["uid"]): event for event in ics.walk("VEVENT")}


async def test_stages_breaks_and_the_weekly_leaderboard_parse_back(h):
    await h.create_cohort("spring", start_date="2026-11-30", leaderboard_day="sunday", leaderboard_time="20:00")
    reply, ics = await calendar_file(h)
    assert "The calendar of **spring**" in reply.message.content
    found = events(ics)
    stages = [e for uid, e in found.items() if uid.startswith("stage-")]
    assert len(stages) == len(h.roadmap.stages) == 8
    calendar = CohortCalendar.build(h.roadmap, date(2026, 11, 30), "standard")
    first = stages[0]
    assert first.decoded("dtstart") == date(2026, 11, 30) and str(first["summary"]) == (
        "spring · stage 1: How the Web Works"
    )
    assert "• DNS" in str(first["description"])
    assert stages[-1].decoded("dtend") == calendar.last_day + timedelta(days=1)  # all-day: ends the day after
    [board] = [e for uid, e in found.items() if uid.startswith("leaderboard.")]
    start = board.decoded("dtstart")
    assert start == datetime(2026, 12, 6, 20, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # the first Sunday
    assert board["dtstart"].params["TZID"] == "Europe/Berlin"
    assert [str(z["tzid"]) for z in ics.walk("VTIMEZONE")] == ["Europe/Berlin"]
    rule = board["rrule"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["SU"]
    assert rule["UNTIL"][0].date() >= calendar.last_day


async def test_a_break_stretches_the_stage_it_falls_in_and_uids_stay_the_same(h):
    await h.create_cohort("spring", start_date="2026-11-30")
    _, before = await calendar_file(h)
    await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-12-01", "to": "2026-12-03"})
    _, after = await calendar_file(h)
    old, new = events(before), events(after)
    assert set(old) <= set(new)  # every event of the first file is updated, none added twice
    [pause] = set(new) - set(old)
    assert new[pause].decoded("dtstart") == date(2026, 12, 1) and new[pause].decoded("dtend") == date(2026, 12, 4)
    stage = "stage-how-the-web-works."
    [old_web] = [e for uid, e in old.items() if uid.startswith(stage)]
    [new_web] = [e for uid, e in new.items() if uid.startswith(stage)]
    assert new_web.decoded("dtend") == old_web.decoded("dtend") + timedelta(days=3)
    assert int(new_web["sequence"]) >= int(old_web["sequence"])


async def test_the_calendar_speaks_the_servers_language_and_strangers_get_none(h):
    h.guild.preferred_locale = "de"
    await h.create_cohort("spring", start_date="2026-11-30")
    _, ics = await calendar_file(h)
    titles = sorted(str(e["summary"]) for e in ics.walk("VEVENT"))
    assert "spring · Etappe 1: How the Web Works" in titles and "spring · wöchentliche Bestenliste" in titles
    allow_command(h, "cohort", h.guild.id)  # an admin opened /cohort to all: the bot refuses
    refused = await h.run(h.alice, "cohort calendar", cohort="spring")
    assert refused.message.ephemeral and "Manage Server" in refused.message.content
    assert not refused.message.attachments


async def test_the_calendar_name_is_escaped_as_text_like_every_summary(h):
    """RFC 5545 TEXT: `;`, `,` and `\\` are escaped in X-WR-CALNAME as in SUMMARY, so a cohort named
    with them reads back as named in calendar apps."""
    name = r"web; apis, and \back"
    await h.create_cohort(name, start_date="2026-11-30")
    reply = await h.run(h.mod, "cohort calendar", cohort=name)
    [attachment] = reply.message.attachments
    raw = h.fake.files[int(attachment["id"])].decode()
    assert "X-WR-CALNAME:web\\; apis\\, and \\\\back study calendar\r\n" in raw
    # A parser that knows the property as TEXT (as calendar apps do) reads the name back as typed.
    assert unescape_char(str(Calendar.from_ical(raw)["x-wr-calname"])) == rf"{name} study calendar"
