"""Planned breaks can be corrected (issue 25, part 4): /cohort pause replace:, /cohort unpause, and what
each moves (the calendar's end, the nudges), through the real bot."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import CohortPause
from tests.harness import Harness, allow_command, database_dump


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def breaks(h: Harness) -> list[tuple[str, str]]:
    async with h.bot.services.progress._sessions() as session:
        rows = await session.execute(select(CohortPause.start_date, CohortPause.end_date).order_by("start_date"))
        return [(start.isoformat(), end.isoformat()) for start, end in rows]


async def pause(h: Harness, start: str, end: str, **options: object) -> str:
    reply = await h.run(h.mod, "cohort pause", cohort="spring", **{"from": start, "to": end}, **options)
    assert reply.message.ephemeral
    return reply.message.text()


async def test_a_break_is_listed_changed_and_removed_and_the_calendar_end_moves_with_it(h):
    await h.create_cohort(start_date="2026-11-30")  # the clock says 24 November
    added = await pause(h, "2026-12-21", "2026-12-27")
    assert "pauses 2026-12-21 → 2026-12-27" in added and "📆 The calendar now ends on" in added
    info = (await h.run(h.mod, "cohort info", cohort="spring")).message.text()
    assert "2026-12-21 → 2026-12-27 (7 days)" in info

    # Correcting it is not refused as overlapping itself.
    choices = await h.fake.autocomplete(h.mod, h.guild, h.hall, "cohort pause", focused="replace", cohort="spring")
    assert [(c["name"], c["value"]) for c in choices] == [("2026-12-21 → 2026-12-27", "2026-12-21")]
    changed = await pause(h, "2026-12-24", "2026-12-27", replace="2026-12-21")
    assert "The break 2026-12-21 → 2026-12-27 of **spring** is now 2026-12-24 → 2026-12-27." in changed
    assert "instead of" in changed  # three study days back: the calendar ends earlier
    assert await breaks(h) == [("2026-12-24", "2026-12-27")]

    removed = (await h.run(h.mod, "cohort unpause", cohort="spring", **{"break": "2026-12-24"})).message.text()
    assert "2026-12-24 → 2026-12-27 of **spring** is removed" in removed
    assert await breaks(h) == []
    info = (await h.run(h.mod, "cohort info", cohort="spring")).message.text()
    assert "Pauses" not in info


async def test_a_running_break_keeps_its_past_days_and_a_finished_one_no_longer_changes(h):
    await h.create_cohort()  # started 2 November, Europe/Berlin
    await h.run(h.alice, "join", cohort="spring")
    await pause(h, "2026-11-25", "2026-12-05")
    h.clock.set(utc(2026, 11, 28, 12))
    refused = await pause(h, "2026-11-29", "2026-12-05", replace="2026-11-25")
    assert "its first day stays 2026-11-25" in refused
    longer = await pause(h, "2026-11-25", "2026-12-10", replace="2026-11-25")
    assert "is now 2026-11-25 → 2026-12-10" in longer
    ended = (await h.run(h.mod, "cohort unpause", cohort="spring", **{"break": "2026-11-25"})).message.text()
    assert "ended yesterday (2026-11-27)" in ended
    assert await breaks(h) == [("2026-11-25", "2026-11-27")]
    # Nudges go on from the next morning: the 29th is a study day again.
    h.clock.set(utc(2026, 11, 29, 8, 0, 30))
    before = len(h.fake.dms_to(h.alice))
    await h.bot.scheduler.tick()
    assert len(h.fake.dms_to(h.alice)) == before + 1

    h.clock.set(utc(2026, 12, 2, 12))
    snapshot = await database_dump(h)
    for reply in (
        await h.run(h.mod, "cohort unpause", cohort="spring", **{"break": "2026-11-25"}),
        await h.run(
            h.mod, "cohort pause", cohort="spring", **{"from": "2026-12-03", "to": "2026-12-04"}, replace="2026-11-25"
        ),
    ):
        assert reply.message.ephemeral and "is over: its days stay in the calendar" in reply.message.text()
    assert await database_dump(h) == snapshot


async def test_breaks_that_do_not_exist_or_callers_who_may_not_are_refused_and_change_nothing(h):
    await h.create_cohort(start_date="2026-11-30")
    await pause(h, "2026-12-21", "2026-12-27")
    await h.create_cohort("autumn")
    snapshot = await database_dump(h)
    unknown = await h.run(h.mod, "cohort unpause", cohort="spring", **{"break": "2026-12-22"})
    assert "no break beginning on 2026-12-22. Its breaks: 2026-12-21 → 2026-12-27." in unknown.message.text()
    garbled = await h.run(h.mod, "cohort unpause", cohort="spring", **{"break": "soon"})
    assert "YYYY-MM-DD" in garbled.message.text()
    elsewhere = await h.run(h.mod, "cohort unpause", cohort="autumn", **{"break": "2026-12-21"})
    assert "Its breaks: none." in elsewhere.message.text()
    allow_command(h, "cohort", h.guild.id)  # an admin opened /cohort to all: the bot refuses
    member = await h.run(h.alice, "cohort unpause", cohort="spring", **{"break": "2026-12-21"})
    assert "Manage Server" in member.message.content
    assert all(r.message.ephemeral for r in (unknown, garbled, elsewhere, member))
    assert await database_dump(h) == snapshot
