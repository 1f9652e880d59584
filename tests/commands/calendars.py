"""Reading a cohort's stage days as two features show them: /cohort info's list and the .ics file."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar

from tests.harness import Harness


async def stage_days_in_info(h: Harness, cohort: str = "spring") -> list[tuple[str, str]]:
    """(first day, last day) of every stage, as /cohort info lists them."""
    info = (await h.run(h.mod, "cohort info", cohort=cohort)).message.text()
    return [(first, last) for first, last in re.findall(r"\d+\. [^:\n]+: (\d{4}-\d\d-\d\d) → (\d{4}-\d\d-\d\d)", info)]


async def stage_days_in_ics(h: Harness, cohort: str = "spring") -> list[tuple[str, str]]:
    """(first day, last day) of every stage event of /cohort calendar's file (DTEND is exclusive)."""
    reply = await h.run(h.mod, "cohort calendar", cohort=cohort)
    [attachment] = reply.message.attachments
    ics = Calendar.from_ical(h.fake.files[int(attachment["id"])])
    stages = sorted((e for e in ics.walk("VEVENT") if "· stage " in str(e["summary"])), key=lambda e: e["dtstart"].dt)
    return [(str(e["dtstart"].dt), str(e["dtend"].dt - timedelta(days=1))) for e in stages]
