"""Moderators can undo mistakes, and the calendar tells the truth: archive asks and can be undone, a
cohort created by mistake can be deleted, a calendar already over is questioned, and /cohort info shows
the real last day, every pause and every setting."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import discord
import pytest
from sqlalchemy import select

from bot.db.models import Cohort, Membership
from bot.ui.confirm import Confirm
from tests.harness import allow_command, staff_channel
from tests.harness import database_dump as dump


@pytest.fixture
async def spring(h):
    await h.create_cohort("spring")  # 2026-11-02, Europe/Berlin, standard pace; today is 2026-11-24
    for user in (h.alice, h.bob):
        await h.run(user, "join", cohort="spring")
    return h


def role_holder(h, user):
    """`user` gets a role that moderates 'spring' only (no Manage Server)."""
    lead = h.guild.add_role("Spring leads", discord.Permissions.none())
    h.guild.add_member(user, lead)
    allow_command(h, "cohort", lead.id)  # the admin let the cohort's moderator role use /cohort
    cached = h.bot.get_guild(h.guild.id)
    cached._add_role(discord.Role(guild=cached, state=h.bot._connection, data=lead.payload()))
    return lead


async def cohort_row(h, name="spring") -> Cohort | None:
    async with h.bot.services.progress._sessions() as session:
        return await session.scalar(select(Cohort).where(Cohort.name == name))


async def test_archive_asks_first_and_cancel_or_a_stranger_changes_nothing(spring):
    h = spring
    before = await dump(h)
    question = await h.run(h.mod, "cohort archive", cohort="spring")
    assert question.message.ephemeral and "Archive **spring**?" in question.message.content
    assert "`/cohort edit status:active` reopens it" in question.message.content
    stranger = await h.fake.click(h.alice, h.guild, question.message, "Archive")
    assert stranger.message.ephemeral and "not for you" in stranger.message.content
    cancelled = await h.fake.click(h.mod, h.guild, question.message, "Cancel")
    assert "nothing changed" in cancelled.message.content and not cancelled.message.buttons
    assert await dump(h) == before
    assert (await h.run(h.alice, "done")).message.content.count("done!") == 1


async def test_an_archived_cohort_reopens_with_its_nudges_and_leaderboard(spring):
    h = spring
    await h.archive("spring")
    archived = await cohort_row(h)
    assert archived.archived_at is not None and archived.next_leaderboard_at is None
    again = await h.run(h.mod, "cohort archive", cohort="spring")
    assert "already archived" in again.message.content and "status:active" in again.message.content

    reopened = await h.run(h.mod, "cohort edit", cohort="spring", status="active")
    assert "Status: active" in reopened.message.text()
    row = await cohort_row(h)
    assert row.archived_at is None and row.next_leaderboard_at is not None
    async with h.bot.services.progress._sessions() as session:
        timers = list(await session.scalars(select(Membership.next_nudge_at)))
    assert len(timers) == 2 and all(timers)  # both members are nudged again
    assert "done!" in (await h.run(h.alice, "done")).message.content

    before = await dump(h)
    active = await h.run(h.mod, "cohort edit", cohort="spring", status="active", pace="intense")
    assert active.message.ephemeral and "not archived" in active.message.content
    assert await dump(h) == before  # the pace given with it did not change either


async def test_a_question_nobody_answers_changes_nothing_and_says_so(spring, monkeypatch):
    h = spring
    monkeypatch.setattr(Confirm, "TIMEOUT", 0.3)
    before = await dump(h)
    question = await h.run(h.mod, "cohort archive", cohort="spring")
    for _ in range(50):
        await asyncio.sleep(0.1)
        if not question.message.buttons:
            break
    assert "No answer" in question.message.content and not question.message.buttons
    assert await dump(h) == before


async def test_delete_names_what_is_lost_and_removes_every_row(spring):
    h = spring
    await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-12-24", "to": "2026-12-26"})
    await h.run(h.alice, "done")
    await h.run(h.alice, "checkin")
    await h.create_cohort("autumn", start_date="2026-12-01")
    await h.run(h.bob, "join", cohort="autumn")
    question = await h.run(h.mod, "cohort delete", cohort="spring")
    text = question.message.content
    assert "Delete **spring** for good?" in text
    assert "2 memberships, 1 done or skipped topic, 1 check-in, 1 planned break" in text
    assert [b["label"] for b in question.message.buttons] == ["Delete for good", "Cancel"]
    deleted = await h.fake.click(h.mod, h.guild, question.message, "Delete for good")
    assert "Deleted **spring**" in deleted.message.content
    rows = await dump(h)
    async with h.bot.services.progress._sessions() as session:
        (autumn_id,) = await session.scalars(select(Cohort.id))
        (bob_in_autumn,) = await session.scalars(select(Membership.id))
    assert [r for r in rows["cohorts"] if r[0] != autumn_id] == []
    assert rows["progress_events"] == rows["checkins"] == rows["cohort_pauses"] == []
    assert [r for r in rows["memberships"] if r[0] != bob_in_autumn] == []
    assert all(r[2] in (autumn_id, bob_in_autumn) for r in rows["deliveries"])
    gone = await h.run(h.alice, "progress", cohort="spring")
    assert "no cohort named **spring**" in gone.message.content
    # The name is free again.
    await h.create_cohort("spring", start_date="2026-12-01")


async def test_only_manage_server_deletes_a_cohort_with_progress(spring):
    h = spring
    lead = role_holder(h, h.carol)
    await h.run(h.mod, "cohort edit", cohort="spring", moderator_role=lead)
    await h.run(h.alice, "done")
    before = await dump(h)
    allow_command(h, "cohort", h.guild.id)  # an admin opened /cohort to all: the bot refuses
    refused = await h.run(h.carol, "cohort delete", cohort="spring")
    assert refused.message.ephemeral and not refused.message.buttons
    assert "only someone with **Manage Server** can delete it" in refused.message.content
    assert "`/cohort archive`" in refused.message.content
    assert await dump(h) == before

    await h.create_cohort("oops", start_date="2026-12-01", moderator_role=lead)
    deleted = await h.confirm(h.carol, "cohort delete", "Delete for good", cohort="oops")
    assert "Deleted **oops**" in deleted.message.content  # no progress: the role may delete it
    assert await cohort_row(h, "oops") is None


async def test_delete_refuses_when_the_cohort_changed_after_the_question(spring):
    h = spring
    question = await h.run(h.mod, "cohort delete", cohort="spring")
    assert "2 memberships, 0 done or skipped topics" in question.message.content
    await h.run(h.alice, "done")  # progress arrives while the moderator reads
    before = await dump(h)
    late = await h.fake.click(h.mod, h.guild, question.message, "Delete for good")
    assert late.message.ephemeral and "changed since you asked" in late.message.content
    assert await dump(h) == before


async def test_a_calendar_already_over_is_questioned_on_create_and_edit(h):
    before = await dump(h)
    old = {"name": "old", "channel": h.hall, "start_date": "2026-01-05", "timezone": "UTC"}
    question = await h.run(h.mod, "cohort create", **old)
    text = question.message.content
    assert "ended on 2026-06-11, before today (2026-11-24)" in text and "Is the year right?" in text
    assert [b["label"] for b in question.message.buttons] == ["Create anyway", "Cancel"]
    await h.fake.click(h.mod, h.guild, question.message, "Cancel")
    assert await dump(h) == before

    created = await h.confirm(h.mod, "cohort create", "Create anyway", **old)
    assert "Created cohort old" in created.message.text()

    await h.create_cohort("spring", start_date="2026-11-02")
    edited = await h.confirm(h.mod, "cohort edit", "Change anyway", cohort="spring", start_date="2026-01-05")
    assert "Updated spring" in edited.message.text() and "2026-01-05 → 2026-06-11" in edited.message.text()
    # A bad value is refused before any question.
    bad = await h.run(h.mod, "cohort create", **(old | {"name": "x", "timezone": "Mars/Base"}))
    assert "Mars/Base" in bad.message.content and not bad.message.buttons


async def test_info_shows_the_last_day_with_pauses_every_pause_and_every_setting(spring):
    h = spring
    plain = (await h.run(h.mod, "cohort info", cohort="spring")).message.text()
    # Standard pace: 22.5 weeks = 157.5 days, so 158 study days; the first is 2026-11-02.
    assert "2026-11-02 → 2027-04-08 (standard)" in plain and "Pauses" not in plain
    await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-12-24", "to": "2026-12-27"})
    await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-12-01", "to": "2026-12-01"})
    report = staff_channel(h, "mod-reports")
    edited = await h.run(h.mod, "cohort edit", cohort="spring", report_channel=report)
    text = edited.message.text()
    assert f"Report channel: <#{report.id}>" in text
    assert "2026-11-02 → 2027-04-13 (standard)" in text  # five paused days later
    assert "Pauses: 2026-12-01 → 2026-12-01 (1 day)\n2026-12-24 → 2026-12-27 (4 days)" in text
    info = (await h.run(h.mod, "cohort info", cohort="spring")).message.text()
    for setting in ("Channel", "Members: 2", "Status: active", "Roadmap", "Timezone: Europe/Berlin", "Daily nudge"):
        assert setting in info
    assert "Weekly leaderboard: Monday 18:00" in info and "Moderator role: none" in info


async def test_days_on_a_topic_skip_the_paused_days(spring):
    h = spring
    await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-11-26", "to": "2026-11-29"})
    h.clock.set(datetime(2026, 12, 1, 12, tzinfo=UTC))  # a week after alice joined, four days of it paused
    shown = (await h.run(h.alice, "progress")).message.text()
    assert "On this topic: 3 days" in shown
