"""The real `studybot run` process, driven through the loopback gateway the way Discord drives it."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.live import STUDYBOT
from tests.harness import finish_roadmap


async def create(live, name="spring", **options):
    defaults = {"channel": live.hall, "start_date": "2026-11-02", "timezone": "Europe/Berlin"}
    reply = await live.run(live.mod, "cohort create", name=name, **(defaults | options))
    assert "Created cohort" in reply.message.text(), reply.message.text()


async def test_the_whole_member_journey(live):
    alice, bob, carol = live.members
    assert live.fake.gateway.compressions == ["zlib-stream"]
    assert {c["name"] for c in live.fake.commands[None]} >= {"join", "done", "cohort", "leaderboard", "checkin"}
    await create(live)
    for user in (alice, bob, carol):
        assert "You joined **spring**" in (await live.run(user, "join", cohort="spring")).message.content
    for _ in range(3):
        await live.run(alice, "done", note="steady")
    bob_done = await live.run(bob, "done")
    assert "**DNS** done" in bob_done.message.content and "Next topic: **HTTP and HTTPS**" in bob_done.message.content
    moved = await live.run(carol, "goto", topic="graphql")
    assert "You are now on **GraphQL**" in moved.message.content
    skipped = await live.run(carol, "skip")
    assert "Skipped **GraphQL**" in skipped.message.content
    progress = await live.run(alice, "progress", public=True)
    assert "3/31 topics (10%)" in progress.message.text() and not progress.message.ephemeral
    board = await live.run(alice, "leaderboard")
    lines = board.message.embeds[0]["description"].splitlines()
    assert lines[0].startswith(f"🥇 <@{alice.id}> · 3 topics") and lines[1].startswith(f"🥈 <@{bob.id}>")
    choices = await live.fake.autocomplete(alice, live.guild, live.hall, "goto", focused="topic", topic="auth")
    assert [c["value"] for c in choices] == ["oauth"]


async def test_topic_threads_open_once_and_come_back_from_the_gateway(live):
    alice, bob, _ = live.members
    await create(live)
    for user in (alice, bob):
        await live.run(user, "join", cohort="spring")
    on = await live.run(live.mod, "cohort edit", cohort="spring", threads="on")
    assert "Topic threads: on" in on.message.text()
    first = await live.run(alice, "done")
    [thread] = live.fake.threads.in_channel(live.hall.id)
    assert f"Study thread: <#{thread.id}>" in first.message.content and thread.name == "1.2 · HTTP and HTTPS"
    second = await live.run(bob, "done")
    assert f"Study thread: <#{thread.id}>" in second.message.content
    # The gateway's THREAD_CREATE put it in the bot's cache: reusing it cost no request.
    assert not [r for r in live.fake.requests if r.method == "GET" and r.path == f"/channels/{thread.id}"]
    # THREAD_UPDATE: Discord archived it after a quiet week. The commands below come on the same gateway
    # connection after it, so the bot has read it before it reads them.
    await live.fake.threads.archive(thread)
    await live.run(bob, "goto", topic="dns")
    back = await live.run(bob, "goto", topic="http-https")
    assert f"Study thread: <#{thread.id}>" in back.message.content and not thread.archived
    assert len(live.fake.threads.in_channel(live.hall.id)) == 2  # 1.2, and 1.1 for bob's visit to DNS


async def test_moderator_permissions(live):
    alice = live.members[0]
    # Discord offers /cohort to Manage Server only; an admin opened it to all, so the bot's check is what stands.
    live.guild.command_access["cohort"] = {live.guild.id}
    refused = await live.run(
        alice, "cohort create", name="x", channel=live.hall, start_date="2026-12-01", timezone="UTC"
    )
    assert refused.message.ephemeral and "Manage Server" in refused.message.content
    await create(live)
    await live.run(alice, "join", cohort="spring")
    assert "Manage Server" in (await live.run(alice, "cohort archive", cohort="spring")).message.content
    moved = await live.run(live.mod, "cohort set-progress", cohort="spring", member=alice, topic="rest")
    assert "REST APIs" in moved.message.content


async def test_every_bad_input_gets_an_ephemeral_answer(live):
    alice, bob, _ = live.members
    await create(live)
    await live.run(alice, "join", cohort="spring")
    create_ok = {"name": "autumn", "channel": live.hall, "start_date": "2026-12-01", "timezone": "UTC"}
    cases = [
        (live.mod, "cohort create", create_ok | {"timezone": "Mars/Olympus"}, "not a timezone"),
        (live.mod, "cohort create", create_ok | {"nudge_time": "25:00"}, "24-hour HH:MM"),
        (live.mod, "cohort create", create_ok | {"start_date": "12/01/2026"}, "YYYY-MM-DD"),
        (live.mod, "cohort create", create_ok | {"name": "Spring"}, "already exists"),
        (alice, "join", {"cohort": "sprng"}, "Did you mean **spring**"),
        (alice, "goto", {"topic": "Graph QL"}, "no topic called"),
        (bob, "done", {}, "not in any cohort"),
        # Longer than the option declares: Discord's client refuses it; sent anyway, the bot says why.
        (alice, "done", {"note": "x" * 501, "unchecked": True}, "at most 500"),
        (live.mod, "cohort create", create_ok | {"timezone": "x" * 3000, "unchecked": True}, "at most 64"),
        (live.mod, "cohort create", create_ok | {"start_date": "9999-12-20"}, "too far from today"),
        (live.mod, "cohort create", create_ok | {"channel": live.locked}, "I can't post in"),
    ]
    for user, path, options, expected in cases:
        reply = await live.run(user, path, **options)
        assert reply.message.ephemeral and expected in reply.message.content, (path, options, reply.message.content)
    await create(live, "autumn")
    not_member = await live.run(alice, "done", cohort="autumn")
    assert not_member.message.ephemeral and "not in the cohort **autumn**" in not_member.message.content
    first, second = await asyncio.gather(
        live.run(alice, "done", cohort="spring"), live.run(alice, "done", cohort="spring")
    )
    assert sorted("done!" in r.message.content for r in (first, second)) == [False, True]
    await finish_roadmap(live.run, alice, cohort="spring")
    past = await live.run(alice, "done", cohort="spring")
    assert past.message.ephemeral and "finished every topic" in past.message.content
    question = await live.run(live.mod, "cohort archive", cohort="spring")
    assert "Archived" in (await live.fake.click(live.mod, live.guild, question.message, "Archive")).message.content
    archived = await live.run(alice, "checkin", cohort="spring")
    assert archived.message.ephemeral and "archived" in archived.message.content
    elsewhere = await live.fake.invoke(alice, live.other_guild, live.other_hall, "join", cohort="spring")
    assert elsewhere.message.ephemeral and "in this server" in elsewhere.message.content


async def test_the_gateway_dropped_and_resumed(live):
    await create(live)
    await live.fake.gateway.drop()
    for _ in range(100):
        if live.fake.gateway.resumes and live.fake.gateway.connected:
            break
        await asyncio.sleep(0.1)
    assert live.fake.gateway.resumes, live.log()
    assert len(live.fake.gateway.identifies) == 1  # resumed, not a new session
    reply = await live.run(live.members[0], "join", cohort="spring")
    assert "You joined **spring**" in reply.message.content


async def studybot_health(live) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        str(STUDYBOT), "health", env=live.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    return proc.returncode, out.decode()


async def test_health_then_sigterm_stops_cleanly_within_10_seconds(live):
    await create(live)
    for _ in range(30):  # the first tick writes the heartbeat
        code, why = await studybot_health(live)
        if code == 0:
            break
        await asyncio.sleep(0.2)
    assert code == 0 and "healthy" in why
    started = asyncio.get_running_loop().time()
    code = await live.stop()
    assert asyncio.get_running_loop().time() - started < 10
    assert code == 0
    code, why = await studybot_health(live)
    assert code == 1 and "not connected" in why
    assert "stopped cleanly" in live.log()
    assert "e2e-secret-token" not in live.log()


async def test_a_channel_the_bot_cannot_post_in_is_refused_and_nothing_is_posted_there(live):
    """The bot reads its own permissions from the gateway's cache: the refusal names what it lacks, and
    the channel stays empty (the world's overwrite alone would prove nothing about the bot)."""
    await create(live)
    reply = await live.run(live.mod, "cohort edit", cohort="spring", channel=live.locked)
    assert reply.message.ephemeral and "Send Messages" in reply.message.content, reply.message.content
    info = await live.run(live.mod, "cohort info", cohort="spring")
    assert f"<#{live.hall.id}>" in info.message.text() and f"<#{live.locked.id}>" not in info.message.text()
    assert [m for m in live.fake.messages.values() if m.payload.get("channel_id") == str(live.locked.id)] == []


async def test_a_bot_that_never_gets_ready_is_ended_not_left_running(tmp_path, db_url, monkeypatch):
    from tests.e2e import live as live_module

    monkeypatch.setattr(live_module, "READY_TIMEOUT", 3)
    never = await live_module.live_bot(tmp_path, db_url)
    try:
        # A gateway nobody answers on: it never identifies.
        with pytest.raises(AssertionError, match="did not connect"):
            await never.start(DISCORD_GATEWAY_URL="ws://127.0.0.1:9/")
        assert never.proc is not None and never.proc.returncode is not None
        assert never.proc not in live_module.RUNNING
    finally:
        await never.fake.stop()
