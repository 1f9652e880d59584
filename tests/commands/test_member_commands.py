"""Member commands, driven through discord.py's real command tree by interaction payloads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.db.models import Membership, ProgressEvent
from tests.harness import finish_roadmap


async def count(h, model) -> int:
    async with h.bot.services.progress._sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_registers_every_command_with_its_options(h):
    commands = {c["name"]: c for c in h.fake.commands[None]}
    assert {
        "join",
        "leave",
        "progress",
        "done",
        "skip",
        "goto",
        "roadmap",
        "topic",
        "cohort",
        "forget-me",
        "checkin",
        "settings",
        "leaderboard",
        "share",
        "buddy",
        "mypage",
    } <= set(commands)
    assert [o["name"] for o in commands["buddy"]["options"]] == ["on", "off", "show"]
    assert commands["buddy"]["contexts"] == [0] and commands["buddy"].get("default_member_permissions") is None
    progress = {o["name"]: o for o in commands["progress"]["options"]}
    assert progress["member"]["type"] == 6 and progress["public"]["type"] == 5
    assert commands["goto"]["options"][0]["autocomplete"] is True
    cohort = commands["cohort"]
    assert {o["name"] for o in cohort["options"]} == {
        "create",
        "edit",
        "list",
        "info",
        "archive",
        "delete",
        "members",
        "set-progress",
        "remove",
        "export",
        "report",
        "pause",
        "unpause",
        "calendar",
        "stage-role",
        "page",
    }
    edit = {o["name"]: o for o in next(o for o in cohort["options"] if o["name"] == "edit")["options"]}
    for toggle in ("threads", "stage_roles", "showcase", "events", "buddies"):  # picked from a list, never typed
        assert [c["value"] for c in edit[toggle]["choices"]] == ["on", "off"], toggle
    # Hidden from members without Manage Server (0x20) by default, and never in DMs.
    assert int(cohort["default_member_permissions"]) == 1 << 5
    assert cohort["contexts"] == [0]


async def test_member_journey_join_done_skip_goto_progress(h):
    await h.create_cohort()
    joined = await h.run(h.alice, "join", cohort="Spring")  # any case
    assert "You joined **spring**" in joined.message.content
    assert "DNS" in joined.message.content

    done = await h.run(h.alice, "done", note="read about resolvers")
    assert "**DNS** done" in done.message.content and "Next topic: **HTTP and HTTPS**" in done.message.content
    assert not done.message.ephemeral  # finishing a topic is shared with the group

    skipped = await h.run(h.alice, "skip")
    assert "Skipped **HTTP and HTTPS**" in skipped.message.content and skipped.message.ephemeral

    progress = await h.run(h.alice, "progress")
    text = progress.message.text()
    assert progress.message.ephemeral
    assert "Topic: **The client-server model**" in text
    assert "1/31 topics (3%)" in text  # the skip does not count
    assert "Streak: 1 day" in text
    assert "`▰" in text or "`▱" in text  # a bar per stage

    moved = await h.run(h.alice, "goto", topic="graphql")
    assert "You are now on **GraphQL**" in moved.message.content
    public = await h.run(h.alice, "progress", public=True)
    assert not public.message.ephemeral and "GraphQL" in public.message.text()

    async with h.bot.services.progress._sessions() as session:
        events = list(await session.scalars(select(ProgressEvent).order_by(ProgressEvent.id)))
    assert [(e.topic_id, e.kind, e.note) for e in events] == [
        ("dns", "done", "read about resolvers"),
        ("http-https", "skip", None),
    ]


async def test_finishing_a_stage_and_the_roadmap_is_celebrated(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    for _ in range(3):
        reply = await h.run(h.alice, "done")
    assert "finished the stage" not in reply.message.content
    reply = await h.run(h.alice, "done")  # the 4th topic closes "How the Web Works"
    assert "You finished the stage **How the Web Works**" in reply.message.content
    assert "Next stage: **A programming language**" in reply.message.content

    # Jumping to the end finishes nothing: the member goes back to the first topic still open.
    await h.run(h.alice, "goto", topic="social-login")
    last = await h.run(h.alice, "done")
    assert "not every topic is done or skipped yet" in last.message.content
    assert "Back to the first open one: **" in last.message.content and "Congratulations" not in last.message.content
    assert "Finished the whole roadmap" not in (await h.run(h.alice, "progress")).message.text()
    await finish_roadmap(h.run, h.alice)  # every remaining topic, in order: then it is finished
    after = await h.run(h.alice, "done")
    assert after.message.ephemeral and "finished every topic" in after.message.content
    progress = await h.run(h.alice, "progress")
    assert "Finished the whole roadmap" in progress.message.text()


async def test_progress_of_another_member_and_pace(h):
    # Cohort started 2026-11-02; the clock says 2026-11-24: day 22 of the calendar.
    await h.create_cohort(pace="intense")
    await h.run(h.bob, "join", cohort="spring")
    reply = await h.run(h.alice, "progress", member=h.bob)
    text = reply.message.text()
    # Bob's progress, shown privately to the one who asked.
    assert reply.message.ephemeral and reply.message.embeds[0]["title"] == "bob · spring"
    # Intense: stage 1 is 7 days, DNS the first 1.75 of them; day 22 is long past.
    assert "days behind" in text
    h.clock.set(datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
    reply = await h.run(h.bob, "progress")
    assert "Pace: on track" in reply.message.text()


async def test_member_in_several_cohorts_is_asked_which(h):
    await h.create_cohort("spring")
    await h.create_cohort("autumn")
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.alice, "join", cohort="autumn")
    reply = await h.run(h.alice, "done")
    assert reply.message.ephemeral
    assert (
        "several cohorts (**autumn**, **spring**)" in reply.message.content
        and "`cohort` option" in reply.message.content
    )
    reply = await h.run(h.alice, "done", cohort="autumn")
    assert "**DNS** done" in reply.message.content
    assert await count(h, ProgressEvent) == 1


async def test_leave_asks_for_confirmation_and_keeps_history(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.alice, "done")
    ask = await h.run(h.alice, "leave")
    assert "Leave **spring**?" in ask.message.content and ask.message.ephemeral
    assert [b["label"] for b in ask.message.buttons] == ["Leave", "Stay"]

    stranger = await h.fake.click(h.bob, h.guild, ask.message, "Leave")
    assert "not for you" in stranger.message.content
    assert (await h.run(h.alice, "progress")).message.embeds  # still a member

    confirmed = await h.fake.click(h.alice, h.guild, ask.message, "Leave")
    assert "You left **spring**" in confirmed.message.content
    assert confirmed.message.buttons == []
    gone = await h.run(h.alice, "progress")
    assert "not in any cohort" in gone.message.content
    assert await count(h, ProgressEvent) == 1

    back = await h.run(h.alice, "join", cohort="spring")
    assert "Welcome back" in back.message.content and "HTTP and HTTPS" in back.message.content


async def test_leave_cancelled_keeps_membership(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    ask = await h.run(h.alice, "leave", cohort="spring")
    stay = await h.fake.click(h.alice, h.guild, ask.message, "Stay")
    assert "still in **spring**" in stay.message.content
    async with h.bot.services.progress._sessions() as session:
        assert (await session.scalar(select(Membership))).left_at is None


async def test_roadmap_and_topic(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.alice, "done")
    overview = await h.run(h.alice, "roadmap")
    text = overview.message.text()
    assert overview.message.ephemeral
    assert "1. How the Web Works** · 1 week · 1/4 done" in text
    assert "8. Authentication and authorization** · 1-2 weeks (estimate)" in text
    detail = await h.run(h.alice, "roadmap", stage="databases")
    text = detail.message.text()
    assert "5. Databases" in text and "Project ideas" in text and "▫️ Relational databases" in text
    web = await h.run(h.alice, "roadmap", stage="1")
    assert "✅ DNS" in web.message.text() and "➡️ HTTP and HTTPS" in web.message.text()

    current = await h.run(h.alice, "topic")
    assert "HTTP and HTTPS" in current.message.text() and "Project ideas" in current.message.text()
    other = await h.run(h.bob, "topic", topic="gRPC")
    assert "Protocol buffers" in other.message.text()


async def test_autocomplete_answers_from_the_bot(h):
    await h.create_cohort("spring")
    await h.create_cohort("summer")
    await h.run(h.alice, "join", cohort="summer")
    choices = await h.fake.autocomplete(h.alice, h.guild, h.hall, "join", focused="cohort", cohort="s")
    assert [c["name"] for c in choices] == ["spring", "summer"]
    mine = await h.fake.autocomplete(h.alice, h.guild, h.hall, "done", focused="cohort")
    assert [c["value"] for c in mine] == ["summer"]
    topics = await h.fake.autocomplete(h.alice, h.guild, h.hall, "goto", focused="topic", topic="web")
    assert [c["value"] for c in topics] == ["web-servers", "websockets", "jwt"]  # JSON Web Tokens
    assert len(await h.fake.autocomplete(h.alice, h.guild, h.hall, "goto", focused="topic")) == 25


async def test_two_done_at_the_same_instant_advance_once(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    h.clock.set(h.clock.now() + timedelta(minutes=5))
    # A double-tap: both interactions are created at the same instant.
    first, second = await asyncio.gather(
        h.fake.invoke(h.alice, h.guild, h.hall, "done"), h.fake.invoke(h.alice, h.guild, h.hall, "done")
    )
    contents = sorted([first.message.content, second.message.content])
    assert sum("**DNS** done" in c for c in contents) == 1
    assert sum("nothing was marked" in c for c in contents) == 1
    assert await count(h, ProgressEvent) == 1
    progress = await h.run(h.alice, "progress")
    assert "HTTP and HTTPS" in progress.message.text()


async def test_days_on_topic_counts_local_days(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    h.clock.set(h.clock.now() + timedelta(days=3))
    text = (await h.run(h.alice, "progress")).message.text()
    assert "On this topic: 3 days" in text
