"""Weekly goals through real discord.py: /goal sets topics and minutes for the cohort's week, /progress
shows how far the member is by the same counts as the boards (a topic's first done, minutes by the study
rules), the weekly post says how many met theirs, and a goal belongs to its week only."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.commands.test_study_rooms import later, progress_text, room_of
from tests.harness import database_dump as dump
from tests.harness import voice


async def test_a_goal_is_set_shown_met_and_counted_in_the_weekly_post(spring):
    h = spring  # the week runs to Monday 30 November 18:00 in Berlin (17:00 UTC)
    none_yet = await h.run(h.bob, "goal")
    assert "You have no goal this week" in none_yet.message.text()
    set_ = await h.run(h.bob, "goal", topics=2, minutes=30)
    assert "🎯 Your goal this week in **spring**: 0 of 2 topics, 0 of 30 minutes" in set_.message.text()
    await h.run(h.alice, "goal", topics=5)
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await voice(h, h.bob, room)
    await later(h, 20)
    await h.run(h.bob, "done")
    await h.run(h.bob, "skip")  # skips never count toward a goal
    await later(h, 15)
    await voice(h, h.bob, None)
    assert "1 of 2 topics, 35 of 30 minutes" in await progress_text(h, h.bob)
    await h.run(h.bob, "goto", topic=h.roadmap.topics[0].id)
    await h.run(h.bob, "done")  # a review: counted the first time, not now
    assert "1 of 2 topics" in await progress_text(h, h.bob)
    await h.run(h.bob, "done")  # the next open topic: the second first done
    assert "2 of 2 topics, 35 of 30 minutes ✅" in await progress_text(h, h.bob)
    h.clock.set(datetime(2026, 11, 30, 17, 0, 5, tzinfo=UTC))
    await h.bot.scheduler.tick()
    [post] = h.fake.channel_posts
    assert "1 of 2 members met their goal" in post.text()
    # A new week: last week's goal stays with last week.
    assert "You have no goal this week" in (await h.run(h.bob, "goal")).message.text()
    assert "Goal this week" not in await progress_text(h, h.bob)


async def test_a_part_set_to_zero_is_dropped_and_bad_goals_change_nothing(spring):
    h = spring
    await h.run(h.bob, "goal", topics=3, minutes=120)
    only_minutes = await h.run(h.bob, "goal", topics=0)
    assert "0 of 120 minutes" in only_minutes.message.text() and "topics" not in only_minutes.message.text()
    cleared = await h.run(h.bob, "goal", minutes=0)
    assert "Your goal for this week is cleared." in cleared.message.text()
    before = await dump(h)
    for options in ({"topics": 51}, {"minutes": 7 * 1440 + 1}, {"topics": -1}):
        refused = await h.run(h.bob, "goal", unchecked=True, **options)
        assert refused.message.ephemeral and "give a number from 0 (no goal) to" in refused.message.text()
    outsider = await h.run(h.carol, "goal", topics=1)
    assert outsider.message.ephemeral and "not in any cohort" in outsider.message.text()
    assert await dump(h) == before


async def test_forget_me_and_the_export_include_goals(spring):
    h = spring
    await h.run(h.bob, "goal", topics=2)
    [cohort] = await h.bot.services.exports.export(guild_id=h.guild.id)
    [bob] = [m for m in cohort["members"] if m["name"] == "bob"]
    assert [g["topics"] for g in bob["goals"]] == [2]
    ask = await h.run(h.bob, "forget-me")
    await h.fake.click(h.bob, h.guild, ask.message, "Delete my data")
    assert "weekly_goals" not in {t for t, rows in (await dump(h)).items() if rows}


async def test_the_weeks_last_nudge_reminds_of_an_open_goal_only(spring):
    """Nudges at 09:00 in Berlin; the week ends Monday 30 November 18:00. Sunday's nudge is not the last
    (Monday's comes before the end); Monday's is, and names the goal to whoever has not met it yet."""
    h = spring
    await h.run(h.bob, "goal", topics=3)
    await h.run(h.alice, "goal", topics=1)
    await h.run(h.alice, "done")  # met
    h.clock.set(datetime(2026, 11, 29, 8, 0, 5, tzinfo=UTC))
    await h.bot.scheduler.tick()
    sunday = h.fake.dms_to(h.bob)[-1].text()
    assert "Today in spring" in sunday and "goal" not in sunday
    h.clock.set(datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC))
    await h.bot.scheduler.tick()
    bobs, alices = h.fake.dms_to(h.bob)[-1].text(), h.fake.dms_to(h.alice)[-1].text()
    assert "Your goal this week" in bobs and "0 of 3 topics; the week ends <t:" in bobs
    assert "Today in spring" in alices and "goal" not in alices  # met already: nothing to remind
