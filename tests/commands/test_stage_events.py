"""Stage events (`/cohort edit events:on`): a Discord scheduled event at the start of each stage still
ahead, on the cohort calendar's days, moved by edits and breaks, removed when events go off, when the
cohort is archived or deleted; what Discord refuses is said."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import discord
import pytest

from bot.services.progress.pace import CohortCalendar
from tests.harness import database_dump as dump
from tests.harness import staff_channel


def bot_role(h):
    return next(r for r in h.guild.roles.values() if r.name == "studybot")


def without_manage_events(h) -> None:
    role = bot_role(h)
    role.permissions = discord.Permissions(role.permissions.value & ~discord.Permissions(manage_events=True).value)
    world = h.fake.world
    h.bot._connection._add_guild_from_data(h.guild.payload(world.users, world.bot_user, voice=True))


BERLIN = ZoneInfo("Europe/Berlin")


def local_day(event) -> date:
    return event.start.astimezone(BERLIN).date()


def events(h) -> list:
    return h.fake.events.of(h.guild.id)


@pytest.fixture
async def spring(h):
    # Today is 2026-11-24; the cohort starts on Monday 2026-11-30 (Europe/Berlin, nudges at 09:00).
    await h.create_cohort("spring", start_date="2026-11-30")
    return h


async def test_turning_events_on_without_manage_events_says_so_and_changes_nothing(spring):
    h = spring
    without_manage_events(h)
    before = await dump(h)
    refused = await h.run(h.mod, "cohort edit", cohort="spring", events="on")
    assert refused.message.ephemeral and "I can't keep scheduled events: I need **Manage Events**" in (
        refused.message.content
    )
    assert await dump(h) == before and events(h) == []


async def test_one_event_at_each_stage_start_on_the_calendars_days(spring):
    h = spring
    on = await h.run(h.mod, "cohort edit", cohort="spring", events="on")
    assert "📅 Scheduled events: 8 created, 0 updated, 0 removed." in on.message.content
    assert "Stage events: on" in on.message.text()
    found = events(h)
    assert len(found) == len(h.roadmap.stages) == 8
    first = found[0]
    assert first.data["name"] == "spring · stage 1: How the Web Works"
    assert first.start == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    assert first.data["entity_metadata"] == {"location": "#study-hall"}
    calendar = CohortCalendar.build(h.roadmap, date(2026, 11, 30), "standard")
    for stage, event in zip(h.roadmap.stages, found, strict=True):
        assert event.start.date() == calendar.stage_days(stage.id)[0]


async def test_a_break_and_a_new_start_date_move_the_events_and_off_removes_them(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", events="on")
    before = [local_day(e) for e in events(h)]
    paused = await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-12-01", "to": "2026-12-03"})
    assert "📅 Scheduled events: 0 created, 8 updated, 0 removed." in paused.message.content
    after = [local_day(e) for e in events(h)]
    # The break is in stage 1: every later stage starts three days later (in Berlin: across the DST change too).
    assert after[0] == before[0] and all(b - a == timedelta(days=3) for a, b in zip(before[1:], after[1:], strict=True))
    assert {e.start.astimezone(BERLIN).hour for e in events(h)} == {9}
    await h.run(h.mod, "cohort edit", cohort="spring", start_date="2026-12-07")
    assert events(h)[0].start == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    asked = len(h.fake.requests)
    unrelated = await h.run(h.mod, "cohort edit", cohort="spring", report_channel=staff_channel(h), buddies="on")
    assert "Scheduled events" not in unrelated.message.content
    assert [r for r in h.fake.requests[asked:] if "scheduled-events" in r.path] == []
    off = await h.run(h.mod, "cohort edit", cohort="spring", events="off")
    assert "8 removed" in off.message.content and events(h) == []


async def test_stages_already_begun_are_left_alone_and_a_deleted_event_is_made_again(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", events="on")
    victim = events(h)[3]
    del h.fake.events.by_guild[h.guild.id][victim.id]  # a moderator deleted it in Discord
    h.clock.set(datetime(2026, 12, 10, 12, 0, tzinfo=UTC))  # stage 2 has begun
    moved = await h.run(h.mod, "cohort edit", cohort="spring", nudge_time="10:00")
    assert "📅 Scheduled events: 1 created, 5 updated, 0 removed." in moved.message.content
    found = events(h)
    assert len(found) == 8  # the two begun stages keep their events, untouched
    assert {e.start.astimezone(BERLIN).hour for e in found if e.start > h.clock.now()} == {10}
    assert {e.start.astimezone(BERLIN).hour for e in found if e.start <= h.clock.now()} == {9}


async def test_archive_delete_and_a_refusal_later(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", events="on")
    without_manage_events(h)  # an admin took Manage Events away
    paused = await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-12-01", "to": "2026-12-02"})
    assert "pauses 2026-12-01 → 2026-12-02" in paused.message.content
    assert "📅 Scheduled events not kept: I need **Manage Events**" in paused.message.content
    role = bot_role(h)
    role.permissions = discord.Permissions(role.permissions.value | discord.Permissions(manage_events=True).value)
    world = h.fake.world  # the gateway tells the bot (GUILD_ROLE_UPDATE)
    h.bot._connection._add_guild_from_data(h.guild.payload(world.users, world.bot_user, voice=True))
    archived = await h.confirm(h.mod, "cohort archive", "Archive", cohort="spring")
    assert "8 removed" in archived.message.content and events(h) == []
    await h.run(h.mod, "cohort edit", cohort="spring", status="active")
    assert len(events(h)) == 8
    await h.confirm(h.mod, "cohort delete", "Delete for good", cohort="spring")
    assert events(h) == []


async def test_a_full_server_saves_the_edit_and_says_what_discord_refused(spring):
    """Issue 26, part 8: Discord's 100-events cap (30038) while moving events. The moderator's change is
    saved, and the answer says so and what Discord refused, never "something went wrong"."""
    from bot.sandbox.fake.events import MAX_EVENTS, ScheduledEvent

    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", events="on")
    mine = [e.id for e in events(h)]
    ours = len(mine)
    other = {"scheduled_start_time": "2027-06-01T10:00:00+00:00", "name": "movie night"}
    for i in range(MAX_EVENTS - ours):
        event = ScheduledEvent(10_000 + i, h.guild.id, dict(other))
        h.fake.events.by_guild[h.guild.id][event.id] = event
    h.fake.events.by_guild[h.guild.id].pop(mine[-1])  # a moderator deleted one of ours...
    h.fake.events.by_guild[h.guild.id][20_000] = ScheduledEvent(20_000, h.guild.id, dict(other))  # ...and filled it
    edited = await h.run(h.mod, "cohort edit", cohort="spring", start_date="2026-12-07")
    text = edited.message.text()
    assert "Sorry" not in text and "Error id" not in text
    assert "Calendar: 2026-12-07" in text  # saved
    assert "this server has 100 scheduled events, the most Discord allows. Your change is saved" in text
    async with h.bot.services.progress._sessions() as session:
        from sqlalchemy import select

        from bot.db.models import Cohort

        assert (await session.scalar(select(Cohort.start_date))) == date(2026, 12, 7)


async def test_events_a_deletion_could_not_remove_are_kept_and_removed_later(spring):
    """Issue 26, part 5: deleted while the bot lacks Manage Events, a cohort's events stay on Discord;
    the moderator hears so, and the bot removes them once the permission is back, asking nothing before."""
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", events="on")
    assert len(events(h)) == 8
    without_manage_events(h)
    deleted = await h.confirm(h.mod, "cohort delete", "Delete for good", cohort="spring")
    assert "Deleted **spring**." in deleted.message.text()
    assert "8 scheduled events are still on Discord: I need **Manage Events** to remove them" in deleted.message.text()
    assert len(events(h)) == 8
    asked = len(h.fake.requests)
    await h.bot.scheduler.tick()
    assert [r for r in h.fake.requests[asked:] if "scheduled-events" in r.path] == []  # would be refused
    role = bot_role(h)
    role.permissions = discord.Permissions(role.permissions.value | discord.Permissions(manage_events=True).value)
    world = h.fake.world
    h.bot._connection._add_guild_from_data(h.guild.payload(world.users, world.bot_user, voice=True))
    report = await h.bot.scheduler.tick()
    assert report.leftovers == 8 and events(h) == []
    assert (await h.bot.scheduler.tick()).leftovers == 0
