"""The one rule for "finished": every topic of a stage (or of the roadmap) done or skipped."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.progress.journey import next_open, roadmap_finished, stage_finished, stages_completed_by
from tests.harness import ROADMAP

STAGE1 = ["dns", "http-https", "client-server", "web-servers"]


def test_next_open_skips_what_is_covered_and_wraps_to_the_first_open_topic():
    assert next_open(ROADMAP, {"dns"}, "dns").id == "http-https"
    assert next_open(ROADMAP, {"dns", "http-https", "client-server"}, "dns").id == "web-servers"
    last = ROADMAP.topics[-1].id
    # Past the end with earlier topics open: back to the first of them, not "finished".
    assert next_open(ROADMAP, {last}, last).id == "dns"
    assert next_open(ROADMAP, {"dns", last}, last).id == "http-https"
    assert next_open(ROADMAP, set(ROADMAP.topic_ids), last) is None


def test_a_stage_is_finished_only_when_every_topic_is_covered():
    stage = ROADMAP.stages[0]
    assert not stage_finished(stage, {"web-servers"})  # its last topic alone: a jump, not a finish
    assert stage_finished(stage, set(STAGE1))
    assert not roadmap_finished(ROADMAP, set(STAGE1))
    assert roadmap_finished(ROADMAP, set(ROADMAP.topic_ids))


def test_the_event_that_covers_the_last_open_topic_finishes_the_stage_in_any_order():
    assert stages_completed_by(ROADMAP, set(), "web-servers") == []
    assert stages_completed_by(ROADMAP, {"web-servers", "dns", "http-https"}, "client-server") == [ROADMAP.stages[0]]
    assert stages_completed_by(ROADMAP, set(STAGE1), "dns") == []  # finished already: not again


async def test_jumps_forward_and_back_finish_a_stage_only_when_it_is_all_covered(h):
    await h.create_cohort()
    for user in (h.alice, h.bob):
        await h.run(user, "join", cohort="spring")
    await h.run(h.alice, "goto", topic="web-servers")
    jumped = await h.run(h.alice, "done")  # the stage's last topic, after a jump: not a finished stage
    assert "finished the stage" not in jumped.message.content
    await h.run(h.alice, "goto", topic="dns")
    await h.run(h.alice, "done")
    await h.run(h.alice, "done")
    closing = await h.run(h.alice, "done")  # client-server: now every topic of stage 1 is covered
    assert "You finished the stage **How the Web Works**" in closing.message.content
    assert "Next topic: **Choosing your language**" in closing.message.content  # web-servers is behind her
    # bob covers stage 1 with three topics done and the last skipped: finished too (done or skipped).
    for _ in range(3):
        await h.run(h.bob, "done")
    await h.run(h.bob, "skip")
    h.clock.set(datetime(2026, 11, 30, 17, 1, tzinfo=UTC))  # the weekly post
    await h.bot.scheduler.tick()
    [post] = h.fake.channel_posts
    finished = next(f["value"] for f in post.embeds[0]["fields"] if "Finished a stage" in f["name"])
    assert f"<@{h.alice.id}> (How the Web Works)" in finished and f"<@{h.bob.id}> (How the Web Works)" in finished
    progress = (await h.run(h.alice, "progress")).message.text()
    assert "4/31 topics" in progress and "Finished the whole roadmap" not in progress


async def test_a_jump_to_the_end_is_not_a_finished_member_anywhere(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.alice, "goto", topic="social-login")
    back = await h.run(h.alice, "done")
    assert "Back to the first open one: **DNS**" in back.message.content
    report = (await h.run(h.mod, "cohort report", cohort="spring")).message.text()
    assert "finished the roadmap" not in report
    members = (await h.run(h.mod, "cohort members", cohort="spring")).message.text()
    assert "finished" not in members and "1. DNS" in members
