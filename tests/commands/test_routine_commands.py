"""/settings, /checkin, /leaderboard through the command tree, and their bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import CheckIn, Membership
from bot.sandbox.fake import ClientRefused


async def spring_member(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")


async def test_settings_show_and_change(h):
    await spring_member(h)
    shown = await h.run(h.alice, "settings")
    text = shown.message.text()
    assert shown.message.ephemeral
    assert "Daily nudges: on" in text and "Nudge time: 09:00 (cohort's)" in text
    assert "Timezone: Europe/Berlin (cohort's)" in text and "On the leaderboard: shown" in text
    assert "Next nudge: <t:" in text

    changed = await h.run(h.alice, "settings", nudge_time="7:15", timezone="asia/tokyo", show_on_leaderboard="off")
    text = changed.message.text()
    assert "Nudge time: 07:15" in text and "(cohort's)" not in text.split("Nudge time")[1].split("\n")[0]
    assert "Timezone: Asia/Tokyo" in text and "On the leaderboard: hidden" in text
    async with h.bot.services.progress._sessions() as session:
        m = await session.scalar(select(Membership))
    # 07:15 in Tokyo (+9) is 22:15 UTC the day before.
    assert m.next_nudge_at == datetime(2026, 11, 24, 22, 15, tzinfo=UTC)

    back = await h.run(h.alice, "settings", nudge_time="default", timezone="default", nudges="off")
    text = back.message.text()
    assert "Nudge time: 09:00 (cohort's)" in text and "Daily nudges: off" in text and "Next nudge" not in text


async def test_checkin_counts_toward_the_streak(h):
    await spring_member(h)
    first = await h.run(h.alice, "checkin", minutes=45, note="DNS videos")
    assert first.message.ephemeral and "45 minutes today" in first.message.content
    assert "Streak: 1 day" in first.message.content
    second = await h.run(h.alice, "checkin", minutes=30)
    assert "75 minutes today" in second.message.content
    h.clock.set(h.clock.now() + timedelta(days=1))
    await h.run(h.alice, "done")
    progress = await h.run(h.alice, "progress")
    assert "Streak: 2 days" in progress.message.text()
    h.clock.set(h.clock.now() + timedelta(days=2))
    assert "Streak: ended; your best: 2 days" in (await h.run(h.alice, "progress")).message.text()
    await h.run(h.alice, "checkin")
    assert "Streak: 1 day (best: 2 days)" in (await h.run(h.alice, "progress")).message.text()


async def test_no_streak_before_any_activity(h):
    await spring_member(h)
    assert "Streak: no streak yet" in (await h.run(h.alice, "progress")).message.text()


async def count_checkins(h) -> int:
    async with h.bot.services.progress._sessions() as session:
        return await session.scalar(select(func.count()).select_from(CheckIn))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"minutes": 0}, "`0` minutes is not accepted: give a number from 1 to 1440"),
        ({"minutes": 5000}, "from 1 to 1440"),
        ({"note": "n" * 501}, "at most 500"),
    ],
)
async def test_checkin_bad_input(h, options, expected):
    await spring_member(h)
    with pytest.raises(ClientRefused):  # outside the option's declared range or length
        await h.run(h.alice, "checkin", **options)
    # Sent anyway (a modified client): the bot still refuses it clearly.
    reply = await h.run(h.alice, "checkin", unchecked=True, **options)
    assert reply.message.ephemeral and expected in reply.message.content
    assert await count_checkins(h) == 0


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"nudge_time": "25:61"}, "not a valid nudge time"),
        ({"timezone": "Mars/Olympus"}, "not a timezone"),
        ({"nudges": "maybe"}, "use `on` or `off`"),
    ],
)
async def test_settings_bad_input_changes_nothing(h, options, expected):
    await spring_member(h)
    before = (await h.run(h.alice, "settings")).message.text()
    # A valid change alongside the bad one: it must not be applied either.
    valid = {"timezone": "Asia/Tokyo"} if "timezone" not in options else {"nudge_time": "10:00"}
    # unchecked: `maybe` is no choice Discord's client offers; sent anyway, the bot still refuses it cleanly.
    reply = await h.run(h.alice, "settings", unchecked=True, **valid, **options)
    assert reply.message.ephemeral and expected in reply.message.content
    after = (await h.run(h.alice, "settings")).message.text()
    assert before == after


async def test_routine_commands_need_a_cohort(h):
    for path in ("settings", "checkin", "leaderboard"):
        reply = await h.run(h.bob, path)
        assert reply.message.ephemeral and "not in any cohort" in reply.message.content, path
    await spring_member(h)
    await h.archive("spring")
    reply = await h.run(h.alice, "checkin")
    assert "archived" in reply.message.content
    board = await h.run(h.bob, "leaderboard", cohort="spring")  # anyone may look at a named cohort
    assert "Leaderboard · spring" in board.message.text()
