"""/stats through real discord.py: a member's last weeks (topics done, minutes studied, the streak) agree
with the leaderboards of the same weeks and with /progress, come with a picture, and follow /progress's
privacy rule."""

from __future__ import annotations

import asyncio
import itertools
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.db.models import Cohort
from bot.services.progress.history import week_spans
from tests.commands.test_study_rooms import later, room_of
from tests.harness import database_dump as dump
from tests.harness import voice


def board_number(reply, user) -> int:
    """The member's number on a leaderboard answer (0 when they are not on it)."""
    for line in reply.message.embeds[0].get("description", "").splitlines():
        if f"<@{user.id}>" in line:
            return int(re.search(r"· (\d+)", line)[1])
    return 0


def week_lines(reply) -> list[tuple[int, int]]:
    """(topics, minutes) of each week /stats lists, newest first."""
    lines = reply.message.embeds[0]["description"].splitlines()
    return [tuple(int(n) for n in re.findall(r"(\d+) (?:topics? done|minutes?)", line)) for line in lines]


async def test_stats_count_what_the_boards_and_progress_count_week_by_week(spring):
    h = spring  # the week runs to Monday 30 November 18:00 in Berlin (17:00 UTC)
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await h.run(h.bob, "done")
    await h.run(h.bob, "done")
    await h.run(h.bob, "skip")  # a skip is never a topic done
    await voice(h, h.bob, room)
    await later(h, 40)
    await voice(h, h.bob, None)
    await h.run(h.bob, "checkin", minutes=15)
    h.clock.set(datetime(2026, 11, 30, 16, 50, tzinfo=UTC))
    await voice(h, h.bob, room)  # 10 minutes before the week ends, 20 after
    h.clock.set(datetime(2026, 11, 30, 17, 20, tzinfo=UTC))
    await voice(h, h.bob, None)
    await h.run(h.bob, "done")
    stats = await h.run(h.bob, "stats", weeks=3)
    this_week, last_week = week_lines(stats)  # the week before they joined is left out
    for period, (topics, minutes) in (("this-week", this_week), ("last-week", last_week)):
        assert board_number(await h.run(h.alice, "leaderboard", period=period), h.bob) == topics, period
        by_minutes = await h.run(h.alice, "leaderboard", period=period, metric="minutes")
        assert board_number(by_minutes, h.bob) == minutes, period
    assert last_week == (2, 65) and this_week == (1, 20)
    progress = await h.run(h.bob, "progress")
    streak = next(f["value"] for f in progress.message.embeds[0]["fields"] if f["name"] == "Streak")
    assert f"Streak: {streak}" in stats.message.text()
    assert stats.message.ephemeral and "this week (since 2026-11-30)" in stats.message.text()
    await asyncio.gather(*h.bot.get_cog("MemberCog").drawing)
    assert stats.messages[0].attachments[0]["filename"] == "stats.png"  # the picture, added to the answer


async def test_stats_follow_the_privacy_of_progress_and_refuse_bad_weeks(spring):
    h = spring
    await h.run(h.alice, "settings", show_on_leaderboard="off")
    before = await dump(h)
    refused = await h.run(h.bob, "stats", member=h.alice)
    assert refused.message.ephemeral and "keeps their progress private" in refused.message.text()
    for weeks in (0, 27):
        bad = await h.run(h.bob, "stats", weeks=weeks, unchecked=True)
        assert bad.message.ephemeral and "give a number from 1 to 26" in bad.message.text()
    outsider = await h.run(h.carol, "stats")
    assert "not in any cohort" in outsider.message.text()
    assert await dump(h) == before
    seen = await h.run(h.mod, "stats", member=h.alice)
    assert seen.message.ephemeral and "alice · spring: this week" in seen.message.text()


@settings(max_examples=60, deadline=None)
@given(
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]),
    weekday=st.integers(0, 6),
    count=st.integers(1, 26),
)
def test_the_weeks_of_stats_follow_each_other_and_end_now(now, zone, weekday, count):
    cohort = Cohort(leaderboard_weekday=weekday, leaderboard_time="02:30", timezone=zone)
    spans = week_spans(cohort, now, count)
    assert len(spans) == count
    assert spans[-1][0] <= now < spans[-1][1] <= now + timedelta(seconds=1)
    for (start, end), (next_start, _) in itertools.pairwise(spans):
        assert end == next_start
        # A week of the cohort's clock: 7 local days, 167 to 169 hours across a daylight-saving change.
        local = start.astimezone(ZoneInfo(zone))
        assert local.weekday() == weekday or local.hour != 2
        assert timedelta(hours=166) <= end - start <= timedelta(hours=170)
