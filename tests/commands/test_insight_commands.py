"""Moderator insight (/cohort report, the weekly digest) and paused calendars (/cohort pause)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.db.models import CohortPause
from tests.harness import allow_command, staff_channel


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def test_report_shows_stages_stuck_topics_and_quiet_members(h):
    h.clock.set(utc(2026, 11, 2, 10))
    await h.create_cohort()  # standard pace: DNS's share is 1.75 days
    for user in (h.alice, h.bob, h.carol):
        await h.run(user, "join", cohort="spring")
    await h.run(h.carol, "goto", topic="rest")
    h.clock.set(utc(2026, 11, 12, 10))
    await h.run(h.bob, "checkin")  # bob has been on DNS 10 days but checked in: stuck, not quiet
    reply = await h.run(h.mod, "cohort report", cohort="spring")
    text = reply.message.text()
    assert reply.message.ephemeral and "**3 active members**" in text
    assert "2 · 1. How the Web Works" in text and "1 · 6. APIs" in text
    assert "Stuck longest" in text and "DNS: 10 / 1.8 days · 2 members" in text
    assert "No progress, check-in or study room for 7+ days (2)" in text
    assert (
        f"<@{h.alice.id}> (10 days)" in text and f"<@{h.carol.id}> (10 days)" in text and f"<@{h.bob.id}>" not in text
    )
    allow_command(h, "cohort", h.guild.id)  # an admin opened /cohort to all: the bot refuses
    refused = await h.run(h.alice, "cohort report", cohort="spring")
    assert "Manage Server" in refused.message.content


async def pauses(h) -> int:
    async with h.bot.services.progress._sessions() as session:
        return await session.scalar(select(func.count()).select_from(CohortPause))


async def test_pause_bad_input(h):
    await h.create_cohort()
    for start, end, expected in [
        ("2026-12-10", "2026-12-01", "`to` must be on or after `from`"),
        ("2026-12-01", "2027-06-01", "at most 90 days"),
        ("12/01/2026", "2026-12-02", "YYYY-MM-DD"),
    ]:
        reply = await h.run(h.mod, "cohort pause", cohort="spring", **{"from": start, "to": end})
        assert reply.message.ephemeral and expected in reply.message.content
    assert await pauses(h) == 0
    allow_command(h, "cohort", h.guild.id)  # an admin opened /cohort to all: the bot refuses
    refused = await h.run(h.alice, "cohort pause", cohort="spring", **{"from": "2026-12-01", "to": "2026-12-02"})
    assert "Manage Server" in refused.message.content and await pauses(h) == 0


async def test_a_pause_shifts_pace_keeps_streaks_and_skips_nudges(h):
    h.clock.set(utc(2026, 11, 2, 7))  # a Monday; both cohorts start today (Berlin)
    await h.create_cohort(start_date="2026-11-02")
    await h.create_cohort("autumn", start_date="2026-11-02")  # the same calendar, without the break
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.bob, "join", cohort="autumn")
    h.clock.set(utc(2026, 11, 3, 12))
    await h.run(h.alice, "checkin")
    # Planned ahead (a break cannot begin in the past).
    reply = await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-11-04", "to": "2026-11-06"})
    assert "pauses 2026-11-04 → 2026-11-06" in reply.message.content and "Planned breaks" in reply.message.text()

    h.clock.set(utc(2026, 11, 6, 12))  # day 5, both still on DNS (share 1.75 days)
    assert "Pace: 3 days behind" in (await h.run(h.bob, "progress")).message.text()
    text = (await h.run(h.alice, "progress")).message.text()
    assert "Pace: 1 day behind" in text  # the 2nd and 3rd count, the paused 4th-6th do not
    assert "Streak: 1 day" in text  # the 3rd's check-in is not broken by the paused 4th-6th

    h.fake.dms.clear()
    h.clock.set(utc(2026, 11, 6, 8, 1))  # 09:01 on a paused day: no nudge
    await h.bot.scheduler.tick()
    assert h.fake.dms_to(h.alice) == []
    h.clock.set(utc(2026, 11, 7, 8, 1))
    await h.bot.scheduler.tick()
    assert len(h.fake.dms_to(h.alice)) == 1


async def test_weekly_report_goes_to_the_report_channel_with_the_leaderboard(h):
    mods = staff_channel(h)
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    edited = await h.run(h.mod, "cohort edit", cohort="spring", report_channel=mods)
    assert edited.message.ephemeral
    h.clock.set(utc(2026, 11, 30, 17, 0, 5))  # Monday 18:00 Berlin
    await h.bot.scheduler.tick()
    by_channel = {m.payload["channel_id"]: m for m in h.fake.channel_posts}
    assert "Weekly leaderboard · spring" in by_channel[str(h.hall.id)].text()
    assert "Weekly report · spring" in by_channel[str(mods.id)].text()
    await h.bot.scheduler.tick()
    assert len(h.fake.channel_posts) == 2
