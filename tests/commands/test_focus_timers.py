"""Focus timers through real discord.py against the loopback Discord: /focus start and stop, the group
timer in the study room with its Join button, bells that ring once (also across a restart), and focus
rounds counted as study time exactly once where a study room counts the same minutes."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import discord
import pytest
from sqlalchemy import select

from bot.db.models import FocusTimer, StudySession
from tests.commands.test_stage_roles import refresh
from tests.harness import Harness, restart, voice
from tests.harness import database_dump as dump


async def later(h: Harness, minutes: float, *, tick: bool = True) -> None:
    h.clock.set(h.clock.now() + timedelta(minutes=minutes))
    if tick:
        await h.bot.scheduler.tick()


async def focus_rows(h: Harness) -> list[StudySession]:
    async with h.bot.services.cohorts._sessions() as session:
        focus = select(StudySession).where(StudySession.source == "focus")
        return list(await session.scalars(focus.order_by(StudySession.id)))


async def timers(h: Harness) -> list[FocusTimer]:
    async with h.bot.services.cohorts._sessions() as session:
        return list(await session.scalars(select(FocusTimer).order_by(FocusTimer.id)))


@pytest.fixture
async def focus_on(spring: Harness) -> Harness:
    await spring.run(spring.mod, "cohort edit", cohort="spring", focus="on")
    return spring


async def test_focus_is_off_until_a_moderator_turns_it_on_and_cohort_info_says_so(spring):
    h = spring
    before = await dump(h)
    refused = await h.run(h.bob, "focus start")
    assert refused.message.ephemeral and "/cohort edit focus:on" in refused.message.text()
    assert await dump(h) == before
    info = await h.run(h.mod, "cohort edit", cohort="spring", focus="on")
    assert "Focus timers: on: /focus start" in info.message.text()


async def test_a_private_timer_rings_each_bell_once_by_dm_and_counts_finished_rounds(focus_on):
    h = focus_on
    started = await h.run(h.bob, "focus start", minutes=25, rounds=2, **{"break": 5})
    text = started.message.text()
    assert started.message.ephemeral and "2 × 25 minutes with 5-minute breaks" in text and "DM" in text
    dms = len(h.fake.dms_to(h.bob))
    await later(h, 25)
    await h.bot.scheduler.tick()  # a second tick rings nothing more
    bells = h.fake.dms_to(h.bob)[dms:]
    assert len(bells) == 1 and "Round 1 of 2 done: a 5-minute break" in bells[0].text()
    [round_one] = await focus_rows(h)
    assert round_one.ended_at - round_one.started_at == timedelta(minutes=25)
    assert round_one.topic_id == h.roadmap.first_topic.id
    await later(h, 5)
    assert "Break over: round 2 of 2" in h.fake.dms_to(h.bob)[-1].text()
    await later(h, 25)
    assert "Focus cycle done: 2 rounds of 25 minutes" in h.fake.dms_to(h.bob)[-1].text()
    assert len(h.fake.dms_to(h.bob)) == dms + 3
    assert len(await focus_rows(h)) == 2
    progress = await h.run(h.bob, "progress")
    assert "50 minutes" in progress.message.text()
    report = (await h.run(h.mod, "cohort report", cohort="spring")).message.text()
    field = report.split("Time in the study room and focus rounds (median hours on the topic / calendar share)")[1]
    assert f"{h.roadmap.first_topic.topic.title}: 0.8 h / " in field  # the same 50 minutes, as hours
    [timer] = await timers(h)
    assert timer.ended_at is not None and timer.next_bell_at is None
    again = await h.run(h.bob, "focus stop")
    assert "not in a focus timer" in again.message.text()


async def test_stop_mid_round_counts_what_finished_and_nothing_of_the_round_left(focus_on):
    h = focus_on
    await h.run(h.bob, "focus start", minutes=20, rounds=3, **{"break": 5})
    await later(h, 20)
    await later(h, 15)  # 10 minutes into round two
    stopped = await h.run(h.bob, "focus stop")
    text = stopped.message.text()
    assert "1 finished focus round for you (20 minutes)" in text and "The timer ended." in text
    await later(h, 60)
    assert len(await focus_rows(h)) == 1
    [timer] = await timers(h)
    assert timer.bells_rung == 2 and timer.next_bell_at is None  # round one, then its break


async def test_one_timer_at_a_time_and_out_of_range_values_change_nothing(focus_on):
    h = focus_on
    await h.run(h.bob, "focus start")
    before = await dump(h)
    busy = await h.run(h.bob, "focus start", minutes=50)
    assert busy.message.ephemeral and "/focus stop" in busy.message.text()
    for options in ({"minutes": 4}, {"minutes": 181}, {"rounds": 13}, {"break": 0}):
        # What Discord's client refuses, sent by a client that does not.
        refused = await h.fake.invoke(h.alice, h.guild, h.hall, "focus start", unchecked=True, **options)
        assert refused.message.ephemeral and "is not accepted" in refused.message.text(), options
    assert await dump(h) == before


async def test_a_group_timer_in_the_study_room_pings_only_who_joined(focus_on):
    h = focus_on
    room = h.guild.add_voice_channel("study-room")
    refresh(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await voice(h, h.bob, room)
    await voice(h, h.alice, room)
    await voice(h, h.carol, room)  # in the room, not in the cohort
    started = await h.run(h.bob, "focus start", minutes=25, rounds=2)
    assert f"group focus timer started in <#{room.id}>" in started.message.text()
    [post] = [m for m in h.fake.channel_posts if int(m.payload["channel_id"]) == room.id]
    assert post.pinged == set() and any(b.get("label") == "Join" for b in post.buttons)
    stranger = await h.fake.click(h.carol, h.guild, post, "Join")
    assert stranger.messages[-1].ephemeral and "not in" in stranger.messages[-1].text()
    joined = await h.fake.click(h.alice, h.guild, post, "Join")
    welcome = joined.messages[-1].text()
    assert "You joined the group focus timer" in welcome and "(2 in it)" in welcome
    twice = await h.fake.click(h.alice, h.guild, post, "Join")
    assert "/focus stop" in twice.messages[-1].text()
    await later(h, 25)
    bell = [m for m in h.fake.channel_posts if int(m.payload["channel_id"]) == room.id][-1]
    assert "Round 1 of 2 done" in bell.text()
    assert bell.pinged == {h.bob.id, h.alice.id}


async def test_a_group_round_in_the_room_counts_once_and_the_join_needs_the_room(focus_on):
    h = focus_on
    room = h.guild.add_voice_channel("study-room")
    refresh(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    await voice(h, h.bob, room)
    await h.run(h.bob, "focus start", minutes=30, rounds=1)
    [post] = [m for m in h.fake.channel_posts if int(m.payload["channel_id"]) == room.id]
    outside = await h.fake.click(h.alice, h.guild, post, "Join")
    assert "join the room first" in outside.messages[-1].text()
    await later(h, 30)
    await voice(h, h.bob, None)
    # 30 minutes in the room and the same 30 minutes of focus: 30 minutes studied, not 60.
    assert "30 minutes" in (await h.run(h.bob, "progress")).message.text()
    board = await h.run(h.bob, "leaderboard", metric="minutes")
    assert board.message.embeds[0]["description"].splitlines() == [f"🥇 <@{h.bob.id}> · 30 minutes"]


async def test_bells_due_while_the_bot_was_down_ring_once_late_and_still_count(focus_on):
    h = focus_on
    await h.run(h.bob, "focus start", minutes=25, rounds=2)
    dms = len(h.fake.dms_to(h.bob))
    h.clock.set(h.clock.now() + timedelta(minutes=40))
    await restart(h)
    await h.bot.scheduler.tick()
    await h.bot.scheduler.tick()
    new = h.fake.dms_to(h.bob)[dms:]
    assert len(new) == 1 and "Break over" in new[0].text() and "Late" in new[0].text()
    assert len(await focus_rows(h)) == 1


async def test_leaving_the_cohort_or_turning_focus_off_ends_the_timers(focus_on):
    h = focus_on
    await h.run(h.bob, "focus start")
    await h.run(h.alice, "focus start")
    await h.confirm(h.bob, "leave", "Leave")
    off = await h.run(h.mod, "cohort edit", cohort="spring", focus="off")
    assert "Focus timers: off" in off.message.text()
    assert all(t.ended_at is not None for t in await timers(h))
    await later(h, 60)
    assert await focus_rows(h) == []


async def test_the_export_lists_focus_rounds_and_forget_me_and_cohort_delete_leave_nothing(focus_on):
    h = focus_on
    await h.run(h.bob, "focus start", minutes=20, rounds=2)
    await h.run(h.alice, "focus start", minutes=20, rounds=2)
    await later(h, 20)
    table = await h.run(h.mod, "cohort export", cohort="spring")
    lines = list(csv.DictReader(io.StringIO(h.fake.files[int(table.message.attachments[0]["id"])].decode())))
    assert sorted((line["name"], line["minutes"]) for line in lines if line["record"] == "focus_round") == [
        ("alice", "20"),
        ("bob", "20"),
    ]
    ask = await h.run(h.bob, "forget-me")
    await h.fake.click(h.bob, h.guild, ask.message, "Delete my data")
    assert len(await focus_rows(h)) == 1  # alice's
    assert "not in a focus timer" in (await h.run(h.bob, "focus stop")).message.text()
    await h.confirm(h.mod, "cohort delete", "Delete for good", cohort="spring")
    assert await focus_rows(h) == [] and await timers(h) == []
    await later(h, 60)  # no bell rings for a timer that is gone, and nothing breaks


async def test_a_cohort_named_with_a_mention_pings_nobody_in_focus_answers_bells_and_stats(spring):
    h = spring
    name = f"<@{h.carol.id}> club\u200b"
    create = {"channel": h.hall, "start_date": "2026-12-01", "timezone": "Europe/Berlin"}
    refused = await h.run(h.mod, "cohort create", name=name, **create)
    assert refused.message.ephemeral and "invisible" in refused.message.text()  # the invisible character
    name = f"<@{h.carol.id}> club"
    await h.create_cohort(name, start_date="2026-12-01")
    await h.run(h.mod, "cohort edit", cohort=name, focus="on")
    await h.run(h.bob, "join", cohort=name)
    replies = [await h.run(h.bob, "focus start", cohort=name, minutes=5, rounds=1)]
    await later(h, 5)
    replies += [await h.run(h.bob, "focus stop"), await h.run(h.bob, "stats", cohort=name)]
    replies += [await h.run(h.mod, "stats", member=h.bob, cohort=name)]
    for reply in replies:
        assert reply.message.ephemeral and not reply.message.pinged
        assert f"<@{h.carol.id}>" not in reply.message.text()
    [bell] = [m for m in h.fake.dms_to(h.bob) if "Focus cycle done" in m.text()]
    assert not bell.pinged and f"<@{h.carol.id}>" not in bell.text()


async def test_a_timer_started_where_the_member_or_the_bot_may_not_post_is_private(focus_on):
    """The bot posts a group timer for the member who starts it: never where they could not post."""
    h = focus_on
    room = h.guild.add_voice_channel("study-room")
    room.deny_for(h.bob.id, discord.Permissions(send_messages=True))
    room.deny_for(h.fake.world.bot_user.id, discord.Permissions(send_messages=True))
    refresh(h)
    await h.run(h.mod, "cohort edit", cohort="spring", study_room=room)
    for user in (h.bob, h.alice):
        await voice(h, user, room)
    muted = await h.run(h.bob, "focus start")
    assert "A private timer: a group timer rings in" in muted.message.text()
    assert "Your focus timer started" in muted.message.text()
    await h.run(h.bob, "focus stop")
    bot_muted = await h.run(h.alice, "focus start")  # alice may post there; the bot may not
    assert "A private timer" in bot_muted.message.text()
    assert not [m for m in h.fake.channel_posts if int(m.payload["channel_id"]) == room.id]
    assert all(t.room_id is None for t in await timers(h))
