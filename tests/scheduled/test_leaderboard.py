"""Weekly leaderboards: posted once at the cohort's time, ranked fairly, within Discord's limits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import Delivery
from tests.harness import restart


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def done_at(h, user, at: datetime, times: int = 1) -> None:
    for _ in range(times):
        h.clock.set(at)
        reply = await h.fake.invoke(user, h.guild, h.hall, "done")
        assert "done" in reply.message.content, reply.message.content
        at = at.replace(second=at.second + 1)


async def test_weekly_post_ranks_by_topics_done_ties_to_the_earliest(h):
    # Monday 18:00 Berlin; the clock starts Tuesday 2026-11-24 12:00 UTC, so this week ends Mon 30th 17:00 UTC.
    await h.create_cohort()
    for user in (h.alice, h.bob, h.carol):
        await h.run(user, "join", cohort="spring")
    await done_at(h, h.bob, utc(2026, 11, 25, 10), times=2)
    await done_at(h, h.alice, utc(2026, 11, 26, 10), times=2)  # same count as bob, later
    await done_at(h, h.carol, utc(2026, 11, 27, 10), times=4)  # finishes "How the Web Works"
    await h.fake.invoke(h.carol, h.guild, h.hall, "skip")  # skips never count

    for day in (29, 30):  # streaks show next to names
        h.clock.set(utc(2026, 11, day, 9))
        await h.fake.invoke(h.alice, h.guild, h.hall, "checkin")
    h.clock.set(utc(2026, 11, 30, 16, 59))
    await h.bot.scheduler.tick()
    assert h.fake.channel_posts == []
    h.clock.set(utc(2026, 11, 30, 17, 0, 5))
    report = await h.bot.scheduler.tick()
    assert report.leaderboards == 1
    [post] = h.fake.channel_posts
    text = post.text()
    assert post.payload["channel_id"] == str(h.hall.id)
    lines = post.embeds[0]["description"].splitlines()
    assert lines[0].startswith(f"🥇 <@{h.carol.id}> · 4 topics")
    assert lines[1].startswith(f"🥈 <@{h.bob.id}> · 2 topics")  # bob reached 2 before alice
    assert lines[2].startswith(f"🥉 <@{h.alice.id}> · 2 topics")
    assert "Finished a stage" in text and f"<@{h.carol.id}> (How the Web Works)" in text
    assert lines[2].endswith("🔥 2 days") and "🔥" not in lines[1]

    await h.bot.scheduler.tick()
    await restart(h)
    h.clock.set(utc(2026, 11, 30, 17, 30))
    await h.bot.scheduler.tick()
    assert len(h.fake.channel_posts) == 1
    async with h.bot.services.progress._sessions() as session:
        [row] = list(await session.scalars(select(Delivery).where(Delivery.kind == "leaderboard")))
    assert (row.status, row.period, row.message_id) == ("sent", "2026-11-30", post.id)


async def test_the_week_boundary_is_the_cohort_local_post_time(h):
    await h.create_cohort(leaderboard_day="friday", leaderboard_time="20:00", timezone="America/New_York")
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.bob, "join", cohort="spring")
    # Friday 2026-11-27 20:00 in New York is Saturday 01:00 UTC.
    await done_at(h, h.alice, utc(2026, 11, 28, 0, 59, 50))  # 19:59:50 local: this week
    await done_at(h, h.bob, utc(2026, 11, 28, 1, 0, 10))  # 20:00:10 local: next week
    h.clock.set(utc(2026, 11, 28, 1, 1))
    await h.bot.scheduler.tick()
    [post] = h.fake.channel_posts
    assert f"<@{h.alice.id}>" in post.text() and f"<@{h.bob.id}>" not in post.text()
    this_week = await h.fake.invoke(h.bob, h.guild, h.hall, "leaderboard")
    assert f"<@{h.bob.id}> · 1 topic" in this_week.message.text()
    last_week = await h.fake.invoke(h.bob, h.guild, h.hall, "leaderboard", period="last-week")
    assert f"<@{h.alice.id}> · 1 topic" in last_week.message.text()
    assert "no topics done in this period yet" in last_week.message.text()


async def test_hidden_members_and_leavers_are_left_out(h):
    await h.create_cohort()
    for user in (h.alice, h.bob):
        await h.run(user, "join", cohort="spring")
    await done_at(h, h.alice, utc(2026, 11, 25, 10))
    await done_at(h, h.bob, utc(2026, 11, 25, 11))
    await h.run(h.bob, "settings", show_on_leaderboard="off")
    board = await h.fake.invoke(h.alice, h.guild, h.hall, "leaderboard")
    assert f"<@{h.bob.id}>" not in board.message.text() and f"<@{h.alice.id}> · 1 topic" in board.message.text()


async def test_on_demand_board_shows_the_caller_outside_the_top_ten(h):
    await h.create_cohort()
    users = [h.fake.world.add_user(f"m{i}") for i in range(12)]
    start = utc(2026, 11, 25, 10)
    for i, user in enumerate(users):
        h.guild.add_member(user)
        await h.run(user, "join", cohort="spring")
        await done_at(h, user, start.replace(minute=i), times=2 if i < 11 else 1)
    reply = await h.fake.invoke(users[11], h.guild, h.hall, "leaderboard", cohort="spring", period="this-week")
    embed = reply.message.embeds[0]
    assert reply.message.ephemeral
    assert len(embed["description"].splitlines()) == 10
    assert "#12 of 12 with 1 topic" in reply.message.text()
    everything = await h.fake.invoke(users[0], h.guild, h.hall, "leaderboard", period="all-time")
    assert "#1 of 12" in everything.message.text()


async def test_a_large_board_fits_discord_limits(h):
    await h.create_cohort()
    users = [h.fake.world.add_user("x" * 32 + str(i)) for i in range(120)]
    for user in users:
        h.guild.add_member(user)
        await h.run(user, "join", cohort="spring")
        for _ in range(4):  # every topic of stage 1: every one of them finishes it this week
            await h.run(user, "done")
    reply = await h.fake.invoke(users[0], h.guild, h.hall, "leaderboard")
    embed = reply.message.embeds[0]
    assert len(embed["description"]) <= 4096 and len(embed["fields"]) <= 25
    assert all(len(f["value"]) <= 1024 for f in embed["fields"])
    total = (
        len(embed.get("title", ""))
        + len(embed["description"])
        + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
        + len(embed.get("footer", {}).get("text", ""))
    )
    assert total <= 6000
    assert "more" in next(f["value"] for f in embed["fields"] if "Finished a stage" in f["name"])


async def test_no_post_before_the_start_or_for_an_empty_cohort(h):
    await h.create_cohort("later", start_date="2026-12-10")
    await h.create_cohort("empty")
    h.clock.set(utc(2026, 11, 30, 17, 1))
    await h.bot.scheduler.tick()
    assert h.fake.channel_posts == []
