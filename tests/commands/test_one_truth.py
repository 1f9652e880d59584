"""One rule per concept (issue 25), held by comparing features with each other through the real bot: the
leaderboards with /progress and the export, the nudge with /progress and the moderators' report."""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import UTC, datetime

from tests.commands.calendars import stage_days_in_ics, stage_days_in_info
from tests.harness import Harness


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def tick(h: Harness, at: datetime) -> None:
    h.clock.set(at)
    await h.bot.scheduler.tick()


def days_on_topic(text: str) -> str:
    """The "days on this topic" a message shows: the nudge's field and /progress's line alike."""
    found = re.search(r"On this topic\W+(\d+(?:\.\d)?) days?", text)
    assert found, text
    return found[1]


async def quiet_members(h: Harness) -> str:
    report = (await h.run(h.mod, "cohort report", cohort="spring")).message.text()
    return (
        report.split("No progress, check-in or study room", 1)[1]
        if "No progress, check-in or study room" in report
        else ""
    )


async def test_a_topic_done_again_counts_once_on_every_board_and_in_the_export(spring):
    h = spring
    assert "**DNS** done!" in (await h.run(h.alice, "done")).message.text()
    for _ in range(2):
        await h.run(h.alice, "goto", topic="dns")
        again = await h.run(h.alice, "done")
        assert "**DNS** done again" in again.message.text() and "counted on the leaderboard" in again.message.text()
    await h.run(h.bob, "done")
    await h.run(h.bob, "done")  # bob: two different topics, so he leads with 2 against alice's 1

    progress = (await h.run(h.alice, "progress")).message.text()
    assert "Done: 1/" in progress
    for period in ("this-week", "all-time"):
        board = (await h.run(h.alice, "leaderboard", period=period)).message.text()
        lines = [line for line in board.splitlines() if "topic" in line and "·" in line]
        assert f"<@{h.bob.id}> · 2 topics" in lines[0] and f"<@{h.alice.id}> · 1 topic" in lines[1], board

    reply = await h.run(h.mod, "cohort export", cohort="spring")
    [attachment] = reply.message.attachments
    rows = list(csv.DictReader(io.StringIO(h.fake.files[int(attachment["id"])].decode())))
    alice = [r for r in rows if r["user_id"] == f"<@{h.alice.id}>" and r["record"] != "member"]
    assert [(r["record"], r["topic_id"], r["topic_title"]) for r in alice] == [
        ("done", "dns", "DNS"),
        ("review", "dns", "DNS"),
        ("review", "dns", "DNS"),
    ]
    # Times in the cohort's timezone (Europe/Berlin: +01:00 in November), to the second.
    assert all(re.fullmatch(r"2026-11-24T13:00:\d\d\+01:00", r["at"]) for r in alice), alice


async def test_days_on_a_topic_count_from_the_cohort_start_for_an_early_joiner(h):
    await h.create_cohort(start_date="2026-12-07")  # Europe/Berlin; the clock says 24 November
    await h.run(h.alice, "join", cohort="spring")
    await tick(h, utc(2026, 12, 7, 8, 0, 30))  # the first day, 09:00 in Berlin
    [nudge] = h.fake.dms_to(h.alice)
    assert days_on_topic(nudge.text()) == "0"
    assert days_on_topic((await h.run(h.alice, "progress")).message.text()) == "0"
    assert f"<@{h.alice.id}>" not in await quiet_members(h)

    await tick(h, utc(2026, 12, 9, 8, 0, 30))
    nudge = h.fake.dms_to(h.alice)[-1]
    assert days_on_topic(nudge.text()) == days_on_topic((await h.run(h.alice, "progress")).message.text()) == "2"


async def test_break_days_count_nowhere_and_the_report_agrees_with_the_nudge(h):
    await h.create_cohort()  # started 2 November, Europe/Berlin; the clock says 24 November
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-11-26", "to": "2026-12-06"})
    sent = len(h.fake.dms_to(h.alice))
    for day in range(26, 31):
        await tick(h, utc(2026, 11, day, 8, 0, 30))
    assert len(h.fake.dms_to(h.alice)) == sent  # no nudge on a break day
    await tick(h, utc(2026, 12, 7, 8, 0, 30))
    nudge = h.fake.dms_to(h.alice)[-1]
    # 24 and 25 November are study days; 26 November to 6 December are the break.
    assert days_on_topic(nudge.text()) == days_on_topic((await h.run(h.alice, "progress")).message.text()) == "2"
    assert f"<@{h.alice.id}>" not in await quiet_members(h)  # 2 study days without progress, not 13


async def test_a_break_falls_on_the_same_dates_in_every_members_timezone(h):
    await h.create_cohort(timezone="America/Sao_Paulo")
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.alice, "settings", timezone="Australia/Sydney")
    await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-11-27", "to": "2026-11-27"})
    # 09:00 on 27 November in Sydney is still 26 November in São Paulo: Sydney's 27th is a break day.
    before = len(h.fake.dms_to(h.alice))
    await tick(h, utc(2026, 11, 26, 22, 0, 30))
    assert len(h.fake.dms_to(h.alice)) == before
    await tick(h, utc(2026, 11, 27, 22, 0, 30))  # 09:00 on 28 November in Sydney: a study day
    assert len(h.fake.dms_to(h.alice)) == before + 1


async def test_the_cohort_list_says_started_once_the_start_date_has_come(h):
    await h.create_cohort("autumn")  # 2 November
    await h.create_cohort("winter", start_date="2026-12-07")
    listing = (await h.run(h.mod, "cohort list")).message.text()
    assert "started 2026-11-02" in listing and "starts 2026-12-07" in listing


async def test_the_calendar_file_and_cohort_info_give_every_stage_the_same_days_without_overlap(h):
    await h.create_cohort(start_date="2026-11-30")
    await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-12-24", "to": "2026-12-27"})
    shown = await stage_days_in_info(h)
    assert len(shown) == len(h.roadmap.stages)
    in_file = await stage_days_in_ics(h)
    assert in_file == shown
    for (_, last), (first, _) in itertools.pairwise(in_file):
        assert last < first
    reply = await h.run(h.mod, "cohort calendar", cohort="spring")
    text = h.fake.files[int(reply.message.attachments[0]["id"])].decode()
    assert "in the cohort's calendar" in text and not re.search(r"\b1 weeks\b", text)
