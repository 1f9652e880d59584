"""Daily nudges end to end through the real bot: timers, claims, DMs with buttons, failures, restarts."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import render
from bot.db.models import CheckIn, Delivery, Membership
from bot.sandbox.fake.records import Fault
from tests.harness import finish_roadmap, restart


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def tick(h, at: datetime):
    h.clock.set(at)
    return await h.bot.scheduler.tick()


async def deliveries(h, kind: str = "nudge") -> list[Delivery]:
    async with h.bot.services.progress._sessions() as session:
        return list(await session.scalars(select(Delivery).where(Delivery.kind == kind).order_by(Delivery.id)))


async def member(h, user) -> Membership:
    async with h.bot.services.progress._sessions() as session:
        return await session.scalar(select(Membership).where(Membership.user_id == user.id))


async def test_a_nudge_arrives_once_at_the_member_morning(h):
    await h.create_cohort()  # Europe/Berlin, nudges at 09:00
    await h.run(h.alice, "join", cohort="spring")
    await tick(h, utc(2026, 11, 25, 7, 59))
    assert h.fake.dms_to(h.alice) == []
    report = await tick(h, utc(2026, 11, 25, 8, 0, 30))  # 09:00:30 in Berlin
    assert report.sent == 1
    [dm] = h.fake.dms_to(h.alice)
    text = dm.text()
    assert "Today in spring: DNS" in text and "Next step:" in text
    assert "Stage: 1/8 How the Web Works" in text and "Pace:" in text and "calendar share" in text
    assert [b["label"] for b in dm.buttons] == ["Done", "Studied today", "Stop nudges"]
    [d] = await deliveries(h)
    assert (d.status, d.period, d.message_id, d.attempts) == ("sent", "2026-11-25", dm.id, 1)

    await tick(h, utc(2026, 11, 25, 8, 5))
    await tick(h, utc(2026, 11, 25, 23, 0))
    assert len(h.fake.dms_to(h.alice)) == 1
    await tick(h, utc(2026, 11, 26, 8, 0))
    assert len(h.fake.dms_to(h.alice)) == 2
    # The DM channel was opened once and cached: the second nudge cost one request.
    opens = [r for r in h.fake.requests if r.path == "/users/@me/channels"]
    assert len(opens) == 1


async def hourly_dm_times(h, user, start: datetime, hours: int) -> list[datetime]:
    arrivals = []
    for n in range(hours):
        at = start + timedelta(hours=n)
        before = len(h.fake.dms_to(user))
        await tick(h, at)
        if len(h.fake.dms_to(user)) > before:
            arrivals.append(at)
    return arrivals


async def test_berlin_daylight_saving_in_spring_and_autumn(h):
    h.clock.set(utc(2026, 3, 25, 12))
    await h.create_cohort(start_date="2026-03-20")
    await h.run(h.alice, "join", cohort="spring")
    spring = await hourly_dm_times(h, h.alice, utc(2026, 3, 27, 0), 24 * 4)
    assert spring == [utc(2026, 3, 27, 8), utc(2026, 3, 28, 8), utc(2026, 3, 29, 7), utc(2026, 3, 30, 7)]

    h.clock.set(utc(2026, 10, 22, 12))
    await h.run(h.alice, "settings", nudge_time="08:00")  # a member's own time follows the change too
    autumn = await hourly_dm_times(h, h.alice, utc(2026, 10, 23, 0), 24 * 4)
    assert autumn == [utc(2026, 10, 23, 6), utc(2026, 10, 24, 6), utc(2026, 10, 25, 7), utc(2026, 10, 26, 7)]
    sent = [d.period for d in await deliveries(h) if d.status == "sent"]
    assert len(sent) == len(set(sent)) == 8


async def test_auckland_and_honolulu_members_of_one_cohort(h):
    await h.create_cohort(timezone="UTC")
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.bob, "join", cohort="spring")
    await h.run(h.alice, "settings", timezone="Pacific/Auckland")
    await h.run(h.bob, "settings", timezone="pacific/honolulu")
    arrivals = await hourly_dm_times(h, h.alice, utc(2026, 11, 24, 13), 48)
    assert arrivals == [utc(2026, 11, 24, 20), utc(2026, 11, 25, 20)]
    assert len(h.fake.dms_to(h.bob)) == 2
    bob_periods = [d.period for d in await deliveries(h) if d.target_id == (await member(h, h.bob)).id]
    alice_periods = [d.period for d in await deliveries(h) if d.target_id == (await member(h, h.alice)).id]
    # Auckland's 09:00 on the 25th is 20:00 UTC on the 24th: local dates, not UTC dates, key a nudge.
    assert alice_periods == ["2026-11-25", "2026-11-26"]
    assert bob_periods == ["2026-11-24", "2026-11-25"]  # Honolulu: 19:00 UTC the same day


async def test_restart_between_claim_and_send_sends_nothing_twice(h):
    await h.create_cohort()
    for user in (h.alice, h.bob, h.carol):
        await h.run(user, "join", cohort="spring")
    h.clock.set(utc(2026, 11, 25, 8, 1))
    # The process claims alice's nudge, sends it, and dies before recording that it was sent.
    jobs, _ = await h.bot.services.deliveries.claim_due_nudges(limit=1)
    [job] = jobs
    channel_id = await h.bot.fanout._open_dm(job)
    await h.bot.fanout._dm(channel_id, {"embed": render.nudge_embed(job)})
    await restart(h)
    report = await tick(h, utc(2026, 11, 25, 8, 2))
    assert report.sent == 2
    assert [len(h.fake.dms_to(u)) for u in (h.alice, h.bob, h.carol)] == [1, 1, 1]
    await tick(h, utc(2026, 11, 25, 8, 30))
    await restart(h)
    await h.bot.services.deliveries.abandon_stale_claims()
    statuses = sorted(d.status for d in await deliveries(h))
    assert statuses == ["abandoned", "sent", "sent"]
    assert [len(h.fake.dms_to(u)) for u in (h.alice, h.bob, h.carol)] == [1, 1, 1]


async def test_closed_dms_stop_nudges_and_are_reported_once(h):
    await h.create_cohort()
    for user in (h.alice, h.bob, h.carol):
        await h.run(user, "join", cohort="spring")
    h.fake.dm_closed = {h.bob.id, h.carol.id}
    report = await tick(h, utc(2026, 11, 25, 8, 1))
    assert (report.sent, report.closed_dms, report.notices) == (1, 2, 1)
    [notice] = h.fake.channel_posts
    assert notice.payload["channel_id"] == str(h.hall.id)
    assert f"<@{h.bob.id}>" in notice.content and f"<@{h.carol.id}>" in notice.content
    assert "direct messages are closed" in notice.content

    def dm_attempts(user) -> int:
        channel = h.fake.world.dm_channels[user.id]
        return sum(r.method == "POST" and r.path == f"/channels/{channel.id}/messages" for r in h.fake.requests)

    assert dm_attempts(h.bob) == 1
    for day in (26, 27):
        await tick(h, utc(2026, 11, day, 8, 1))
    assert dm_attempts(h.bob) == 1 and len(h.fake.channel_posts) == 1  # no daily retry, no repeated notice
    assert len(h.fake.dms_to(h.alice)) == 3

    h.fake.dm_closed = set()
    await h.run(h.bob, "progress")  # using a command makes DMs worth a try again
    await tick(h, utc(2026, 11, 28, 8, 1))
    assert len(h.fake.dms_to(h.bob)) == 1 and len(h.fake.dms_to(h.carol)) == 0


async def test_a_5xx_then_a_success_is_retried(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    h.fake.faults.append(Fault("POST", r"/channels/\d+/messages", 503))
    report = await tick(h, utc(2026, 11, 25, 8, 1))
    assert report.sent == 1 and len(h.fake.dms_to(h.alice)) == 1
    [d] = await deliveries(h)
    assert (d.status, d.attempts) == ("sent", 2)


async def test_three_5xx_record_a_failure(h, caplog):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    h.fake.faults.append(Fault("POST", r"/channels/\d+/messages", 503, times=5))
    with caplog.at_level(logging.WARNING):
        report = await tick(h, utc(2026, 11, 25, 8, 1))
    assert report.failed == 1 and h.fake.dms_to(h.alice) == []
    [d] = await deliveries(h)
    assert (d.status, d.attempts) == ("failed", 3) and "503" in d.error
    posts = [r for r in h.fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert len(posts) == 3
    assert "failed after 3 attempt(s)" in caplog.text


async def test_nudge_buttons_act_only_for_their_member(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    await tick(h, utc(2026, 11, 25, 8, 1))
    [dm] = h.fake.dms_to(h.alice)

    stranger = await h.fake.click(h.bob, None, dm, "Done")
    assert "someone else's nudge" in stranger.message.content
    assert (await member(h, h.alice)).current_topic_id == "dns"

    h.clock.set(utc(2026, 11, 25, 9))
    done = await h.fake.click(h.alice, None, dm, "Done")
    assert "**DNS** done" in done.message.content
    assert (await member(h, h.alice)).current_topic_id == "http-https"
    again = await h.fake.click(h.alice, None, dm, "Done")
    assert "This nudge was about **DNS**" in again.message.content and "Nothing was marked" in again.message.content

    studied = await h.fake.click(h.alice, None, dm, "Studied today")
    assert "Checked in for today" in studied.message.content and "Streak: 1 day" in studied.message.content

    stop = await h.fake.click(h.alice, None, dm, "Stop nudges")
    assert "Nudges for **spring** are off" in stop.message.content
    await tick(h, utc(2026, 11, 26, 8, 1))
    assert len(h.fake.dms_to(h.alice)) == 1


async def test_buttons_work_after_a_restart(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    await tick(h, utc(2026, 11, 25, 8, 1))
    [dm] = h.fake.dms_to(h.alice)
    await restart(h)
    studied = await h.fake.click(h.alice, None, dm, "Studied today")
    assert "Checked in for today" in studied.message.content
    async with h.bot.services.progress._sessions() as session:
        assert len(list(await session.scalars(select(CheckIn)))) == 1
    done = await h.fake.click(h.alice, None, dm, "Done")
    assert "**DNS** done" in done.message.content


async def test_missed_while_down_within_grace_is_sent_late_older_is_skipped(h, caplog):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    await tick(h, utc(2026, 11, 25, 13))  # 5 h late: within the 6 h grace
    assert len(h.fake.dms_to(h.alice)) == 1
    with caplog.at_level(logging.WARNING):
        await tick(h, utc(2026, 11, 27, 16))  # the 26th's is 32 h late, the 27th's 8 h
    assert len(h.fake.dms_to(h.alice)) == 1
    rows = await deliveries(h)
    assert [(d.period, d.status) for d in rows] == [("2026-11-25", "sent"), ("2026-11-26", "skipped")]
    assert rows[1].error == "missed 2 nudge(s) from 2026-11-26 while the bot was down"
    assert "missed 2 nudge(s)" in caplog.text
    await tick(h, utc(2026, 11, 28, 8))
    assert len(h.fake.dms_to(h.alice)) == 2


async def test_no_nudges_for_members_who_left_finished_or_turned_them_off(h):
    await h.create_cohort()
    for user in (h.alice, h.bob, h.carol):
        await h.run(user, "join", cohort="spring")
    ask = await h.run(h.alice, "leave")
    await h.fake.click(h.alice, h.guild, ask.message, "Leave")
    await finish_roadmap(h.run, h.bob)
    await h.run(h.carol, "settings", nudges="off")
    report = await tick(h, utc(2026, 11, 25, 8, 1))
    assert report.sent == 0 and h.fake.dms == []


async def test_no_nudges_before_the_cohort_starts(h):
    await h.create_cohort(start_date="2026-12-01")
    await h.run(h.alice, "join", cohort="spring")
    await hourly_dm_times(h, h.alice, utc(2026, 11, 25), 24 * 6)
    assert h.fake.dms_to(h.alice) == []
    await tick(h, utc(2026, 12, 1, 8))
    assert len(h.fake.dms_to(h.alice)) == 1


async def test_apscheduler_is_the_clock_that_ticks(h):
    import asyncio

    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    h.clock.set(utc(2026, 11, 25, 8, 1))
    h.bot.scheduler._tick_seconds = 0.2
    await h.bot.scheduler.start()
    await asyncio.wait_for(h.bot.scheduler.ticked(3), 30)  # APScheduler's own timer, every 0.2 s
    assert len(h.fake.dms_to(h.alice)) == 1  # many ticks, one nudge
    await h.bot.scheduler.stop()


async def test_cohort_edits_move_member_timers_and_archiving_stops_them(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.bob, "join", cohort="spring")
    await h.run(h.bob, "settings", nudge_time="12:00")  # bob keeps his own time
    await h.run(h.mod, "cohort edit", cohort="spring", nudge_time="06:30")
    await hourly_dm_times(h, h.alice, utc(2026, 11, 25, 0), 5)
    assert len(h.fake.dms_to(h.alice)) == 0
    await tick(h, utc(2026, 11, 25, 5, 30))  # 06:30 in Berlin
    assert len(h.fake.dms_to(h.alice)) == 1 and len(h.fake.dms_to(h.bob)) == 0
    await tick(h, utc(2026, 11, 25, 11, 0))  # 12:00 in Berlin
    assert len(h.fake.dms_to(h.bob)) == 1
    await h.archive("spring")
    await tick(h, utc(2026, 11, 26, 12, 0))
    assert len(h.fake.dms) == 2


async def test_fan_out_metrics(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.bob, "join", cohort="spring")
    h.fake.dm_closed = {h.bob.id}
    await tick(h, utc(2026, 11, 25, 8, 0, 42))
    value = h.bot.metrics.registry.get_sample_value
    assert value("studybot_nudges_total", {"outcome": "sent"}) == 1
    assert value("studybot_nudges_total", {"outcome": "dms_closed"}) == 1
    assert value("studybot_scheduler_lag_seconds") == 42  # the nudge was due at 08:00:00
