"""Study rooms through real discord.py against the loopback Discord: a moderator picks a voice channel,
members' time there becomes study time on their topic (bot.services.study.rules), and every feature that
reads study time agrees: /progress, /checkin's day of 1,440 minutes, the streak, the export, /forget-me."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import discord
import pytest
from sqlalchemy import select

from bot.db.models import Membership, StudySession
from bot.sandbox.fake.errors import NotSendable
from tests.commands.test_stage_roles import refresh
from tests.harness import Harness, allow_command, restart, voice
from tests.harness import database_dump as dump


def room_of(h: Harness, name: str = "study-room", **kwargs):
    room = h.guild.add_voice_channel(name, **kwargs)
    refresh(h)
    return room


async def rows(h: Harness) -> list[StudySession]:
    async with h.bot.services.cohorts._sessions() as session:
        return list(await session.scalars(select(StudySession).order_by(StudySession.id)))


async def later(h: Harness, minutes: float) -> None:
    h.clock.set(h.clock.now() + timedelta(minutes=minutes))


async def progress_text(h: Harness, user) -> str:
    reply = await h.run(user, "progress")
    return reply.message.text()


async def test_time_in_the_room_is_study_on_the_members_topic_everywhere_it_is_read(spring):
    h = spring
    room = room_of(h)
    await voice(h, h.bob, room)  # before the room is one: nothing counts
    info = await h.run(h.mod, "cohort info", cohort="spring")
    assert "Study time" in info.message.text() and "on: time in" not in info.message.text()
    edit = await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    assert f"on: time in <#{room.id}> counts as study" in edit.message.text()
    [opened] = await rows(h)  # bob was already there: the edit looked who is
    assert opened.ended_at is None and opened.topic_id == h.roadmap.first_topic.id
    await later(h, 30)
    await voice(h, h.bob, None)
    assert "30 minutes" in await progress_text(h, h.bob)
    refused = await h.run(h.bob, "checkin", minutes=1420)
    assert (
        "already studied 30 minutes today" in refused.message.text() and "at most 1410 more" in refused.message.text()
    )
    ok = await h.run(h.bob, "checkin", minutes=10)
    assert "(40 minutes today)" in ok.message.text()
    assert "Streak: 1 day" in ok.message.text()


async def test_a_short_visit_deafened_time_and_people_outside_the_cohort_count_nothing(spring):
    h = spring
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await voice(h, h.bob, room)
    await later(h, 4)
    await voice(h, h.bob, None)  # a four-minute hello
    await voice(h, h.alice, room)
    await later(h, 10)
    await voice(h, h.alice, room, self_deaf=True)  # the stay ends: 10 minutes
    await later(h, 60)
    await voice(h, h.alice, room, self_deaf=False)
    await later(h, 6)
    await voice(h, h.alice, None)
    await voice(h, h.carol, room)  # not in the cohort: not tracked at all
    await later(h, 20)
    await voice(h, h.carol, None)
    assert {r.membership_id for r in await rows(h)} <= set(await memberships(h, h.alice, h.bob))
    assert "Studied today" in await progress_text(h, h.bob) and "0 minutes" in await progress_text(h, h.bob)
    assert "16 minutes" in await progress_text(h, h.alice)


async def memberships(h: Harness, *users) -> list[int]:
    async with h.bot.services.cohorts._sessions() as session:
        ids = [u.id for u in users]
        return list(await session.scalars(select(Membership.id).where(Membership.user_id.in_(ids))))


async def test_done_in_the_room_splits_the_stay_between_topics(spring):
    h = spring
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await voice(h, h.bob, room)
    await later(h, 20)
    await h.run(h.bob, "done")
    await later(h, 25)
    await voice(h, h.bob, None)
    first, second = await rows(h)
    assert first.stay_started_at == second.stay_started_at and first.ended_at == second.started_at
    assert (first.topic_id, second.topic_id) == (h.roadmap.topics[0].id, h.roadmap.topics[1].id)
    text = await progress_text(h, h.bob)
    assert "45 minutes" in text and "25 minutes in the study room on this topic" in text


async def test_leaving_the_cohort_turning_study_time_off_or_archiving_ends_the_stay(spring):
    h = spring
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await voice(h, h.bob, room)
    await voice(h, h.alice, room)
    await later(h, 10)
    await h.confirm(h.bob, "leave", "Leave")
    [bob_row] = [r for r in await rows(h) if r.membership_id in await memberships(h, h.bob)]
    assert bob_row.ended_at is not None and bob_row.ended_at > bob_row.started_at
    off = await h.run(h.mod, "cohort edit", cohort="spring", study_time="off")
    assert f"off (room kept: <#{room.id}>)" in off.message.text()
    assert all(r.ended_at is not None for r in await rows(h))
    on = await h.run(h.mod, "cohort edit", cohort="spring", study_time="on")  # alice is still there
    assert "on: time in" in on.message.text()
    assert [r.ended_at for r in await rows(h)].count(None) == 1
    await h.archive("spring")
    assert all(r.ended_at is not None for r in await rows(h))


async def test_bad_rooms_are_refused_privately_and_change_nothing(spring):
    h = spring
    afk = room_of(h, "afk")
    h.guild.afk_channel_id = afk.id
    refresh(h)
    hidden = room_of(h, "private-room", only=(h.fake.world.bot_user.id,))
    unseen = room_of(h, "staff-room", only=(h.mod.id,))
    before = await dump(h)
    for room, expected in (
        (afk, "is the server's AFK channel"),
        (hidden, "You can't see"),  # the moderator cannot see it: who is in it is not theirs to learn
    ):
        reply = await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
        assert reply.message.ephemeral and expected in reply.message.text(), reply.message.text()
    reply = await h.run(h.mod, "cohort edit", cohort="spring", study_room=unseen)
    assert "I can't see" in reply.message.text() and "**View Channel**" in reply.message.text()
    needs_room = await h.run(h.mod, "cohort edit", cohort="spring", study_time="on")
    assert "Study time needs a room" in needs_room.message.text()
    assert await dump(h) == before


async def test_a_lead_without_view_of_the_room_cannot_turn_it_back_on(spring):
    h = spring
    room = room_of(h, "mods-room", only=(h.mod.id, h.fake.world.bot_user.id))
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room, study_time="off")
    lead = h.guild.add_role("spring leads", discord.Permissions.none())
    h.guild.members[h.carol.id].append(lead.id)
    allow_command(h, "cohort", lead.id)
    await h.run(h.mod, "cohort edit", cohort="spring", moderator_role=lead)
    refresh(h)
    before = await dump(h)
    reply = await h.run(h.carol, "cohort edit", cohort="spring", study_time="on")
    assert "You can't see" in reply.message.text()
    assert await dump(h) == before


async def test_a_short_restart_keeps_the_stay_and_a_long_one_ends_it_where_the_bot_last_saw_it(spring):
    h = spring
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await voice(h, h.bob, room)
    await later(h, 20)
    await h.bot.fanout.run_once()  # a scheduler tick: the bot saw bob in the room now
    await later(h, 3)
    await restart(h)  # three minutes down, bob still in the room: one stay
    [kept] = await rows(h)
    assert kept.ended_at is None
    await later(h, 7)
    await h.bot.close()  # a clean stop records the moment it last saw the room
    stopped_at = h.clock.now()
    await later(h, 40)
    await restart(h)  # forty minutes down: what happened meanwhile is unknown, and not counted
    first, second = await rows(h)
    assert first.ended_at == stopped_at and second.ended_at is None
    assert second.stay_started_at == h.clock.now()
    await later(h, 5)
    await voice(h, h.bob, None)
    assert "35 minutes" in await progress_text(h, h.bob)  # 20 + 3 + 7, then 5 more


async def test_the_export_holds_study_sessions_and_forget_me_deletes_them(spring):
    h = spring
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    for user in (h.alice, h.bob):
        await voice(h, user, room)
    await later(h, 12)
    await voice(h, h.bob, None)
    table = await h.run(h.mod, "cohort export", cohort="spring")
    attachment = table.message.attachments[0]
    lines = list(csv.DictReader(io.StringIO(h.fake.files[int(attachment["id"])].decode())))
    stays = [line for line in lines if line["record"] == "study_room"]
    assert [(line["name"], line["minutes"]) for line in stays] == [("alice", ""), ("bob", "12")]
    [cohort] = await h.bot.services.exports.export(guild_id=h.guild.id)
    [bob] = [m for m in cohort["members"] if m["name"] == "bob"]
    assert bob["study_sessions"][0]["topic_id"] == h.roadmap.first_topic.id
    ask = await h.run(h.bob, "forget-me")
    await h.fake.click(h.bob, h.guild, ask.message, "Delete my data")
    assert {r.membership_id for r in await rows(h)} == set(await memberships(h, h.alice))


async def test_a_member_who_studies_only_in_the_room_is_not_quiet_in_the_report(spring):
    h = spring
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await later(h, 60 * 24 * 10)  # ten days pass: both members are quiet
    await voice(h, h.bob, room)
    await later(h, 30)
    await voice(h, h.bob, None)
    report = (await h.run(h.mod, "cohort report", cohort="spring")).message.text()
    quiet = report.split("No progress, check-in or study room for 7+ days (1)")[1]
    assert f"<@{h.alice.id}>" in quiet and f"<@{h.bob.id}>" not in quiet


async def test_discords_picker_offers_only_voice_channels_for_the_room(spring):
    """The option is declared for voice channels: Discord's client lists no other kind, and our fake
    refuses to send one, so a test cannot pass with what Discord would never send."""
    h = spring
    with pytest.raises(NotSendable, match="takes channels of types"):
        await h.run(h.mod, "cohort edit", cohort="spring", study_room=h.hall)


async def test_joining_the_cohort_while_in_the_room_starts_the_count(spring):
    h = spring
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await voice(h, h.carol, room)
    assert await rows(h) == []  # not a member yet: not tracked
    await h.run(h.carol, "join", cohort="spring")
    await later(h, 8)
    await voice(h, h.carol, None)
    assert "8 minutes" in await progress_text(h, h.carol)


async def test_the_board_by_minutes_counts_what_progress_counts(spring):
    """The same minutes in /progress and on /leaderboard metric:minutes; a hidden member sees only theirs."""
    h = spring
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await h.run(h.carol, "join", cohort="spring")
    await h.run(h.carol, "settings", show_on_leaderboard="off")
    for user in (h.alice, h.bob, h.carol):
        await voice(h, user, room)
    await later(h, 15)
    await voice(h, h.alice, None)
    await later(h, 15)
    await voice(h, h.bob, None)
    await voice(h, h.carol, None)
    await h.run(h.bob, "checkin", minutes=10)
    assert "40 minutes" in await progress_text(h, h.bob) and "15 minutes" in await progress_text(h, h.alice)
    board = await h.run(h.alice, "leaderboard", metric="minutes")
    lines = board.message.embeds[0]["description"].splitlines()
    assert lines == [f"🥇 <@{h.bob.id}> · 40 minutes", f"🥈 <@{h.alice.id}> · 15 minutes"]
    assert "#2 of 2 with 15 minutes" in board.message.text()
    hidden = await h.run(h.carol, "leaderboard", metric="minutes")
    assert "30 minutes in this period (you are hidden from the ranking)" in hidden.message.text()
    topics = await h.run(h.alice, "leaderboard")  # the default ranks topics, as before
    assert "Nobody has finished a topic in this period yet" in topics.message.text()


async def test_the_report_shows_median_room_hours_per_topic_against_the_calendar(spring):
    h = spring
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await voice(h, h.alice, room)
    await voice(h, h.bob, room)
    await later(h, 60)
    await voice(h, h.alice, None)
    await later(h, 60)
    await h.run(h.bob, "done")  # two hours on DNS for bob, one for alice: the median is 1.5
    await later(h, 30)
    await voice(h, h.bob, None)  # and half an hour on the next topic
    text = (await h.run(h.mod, "cohort report", cohort="spring")).message.text()
    assert "Time in the study room (median hours on the topic / calendar share)" in text
    field = text.split("Time in the study room")[1]
    dns, http = h.roadmap.topics[0].topic.title, h.roadmap.topics[1].topic.title
    assert f"{dns}: 1.5 h / " in field and "2 members" in field
    assert f"{http}: 0.5 h / " in field and "1 member" in field


async def test_deleting_the_cohort_deletes_its_stays_even_one_still_open(spring):
    h = spring
    room = room_of(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await voice(h, h.bob, room)
    await later(h, 10)
    await h.confirm(h.mod, "cohort delete", "Delete for good", cohort="spring")
    assert await rows(h) == []
    await voice(h, h.bob, None)  # the leave finds nothing to end, and nothing breaks
    assert await rows(h) == []


async def test_the_weekly_post_ranks_by_minutes_when_the_cohort_says_so_and_agrees_with_the_command(spring):
    """The week's post (Monday 18:00 in Berlin: 17:00 UTC on the 30th) and /leaderboard metric:minutes for
    last week name the same members with the same minutes; a stay across the post counts its part inside."""
    h = spring
    room = room_of(h)
    edit = await h.run(h.mod, "cohort edit", cohort="spring", study_room=room, leaderboard_metric="minutes")
    assert "Monday 18:00 · by minutes studied" in edit.message.text()
    await voice(h, h.alice, room)
    await later(h, 50)
    await voice(h, h.alice, None)
    h.clock.set(datetime(2026, 11, 30, 16, 40, tzinfo=UTC))
    await voice(h, h.bob, room)  # 20 minutes before the post, 30 after it
    h.clock.set(datetime(2026, 11, 30, 17, 0, 5, tzinfo=UTC))
    report = await h.bot.scheduler.tick()
    assert report.leaderboards == 1
    [post] = h.fake.channel_posts
    lines = post.embeds[0]["description"].splitlines()
    assert lines == [f"🥇 <@{h.alice.id}> · 50 minutes", f"🥈 <@{h.bob.id}> · 20 minutes"]
    assert "by minutes" in post.embeds[0]["title"] and post.attachments  # with its card
    h.clock.set(datetime(2026, 11, 30, 17, 30, tzinfo=UTC))
    await voice(h, h.bob, None)
    last_week = await h.run(h.alice, "leaderboard", metric="minutes", period="last-week")
    assert last_week.message.embeds[0]["description"].splitlines() == lines
    this_week = await h.run(h.alice, "leaderboard", metric="minutes")
    assert this_week.message.embeds[0]["description"].splitlines() == [f"🥇 <@{h.bob.id}> · 30 minutes"]
