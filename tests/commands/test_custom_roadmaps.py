"""Several roadmaps: a cohort picks one at creation, and every member command follows that cohort's."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import Cohort


async def cohort_count(h) -> int:
    async with h.bot.services.progress._sessions() as session:
        return await session.scalar(select(func.count()).select_from(Cohort))


async def test_a_cohort_on_another_roadmap_walks_that_roadmap(h):
    created = await h.create_cohort("web", roadmap="frontend")
    assert "Roadmap: Frontend developer (7 topics)" in created.message.text()
    # Frontend: 6-12 weeks, standard pace = 9 weeks = 63 days: 2026-11-02 is the first, 2027-01-03 the last.
    assert "2026-11-02 → 2027-01-03 (standard)" in created.message.text()

    joined = await h.run(h.alice, "join", cohort="web")
    assert "Semantic HTML" in joined.message.text()
    progress = await h.run(h.alice, "progress")
    assert "Stage 1/3: **Foundations**" in progress.message.text() and "0/7" in progress.message.text()

    roadmap = await h.run(h.alice, "roadmap")
    assert "Roadmap: Frontend developer" in roadmap.message.text()
    assert "How the Web Works" not in roadmap.message.text()
    stage = await h.run(h.alice, "roadmap", stage="a framework")
    assert "Components and props" in stage.message.text()
    topic = await h.run(h.alice, "topic")
    assert "Semantic HTML" in topic.message.text() and "Stage: 1/3 Foundations" in topic.message.text()

    done = await h.run(h.alice, "done")
    assert "**CSS layout**" in done.message.text()
    moved = await h.run(h.alice, "goto", topic="fe-state")
    assert "State and effects" in moved.message.text()

    # A backend topic is not on this cohort's roadmap.
    wrong = await h.run(h.alice, "goto", topic="dns")
    assert wrong.message.ephemeral and "no topic called **dns**" in wrong.message.text()
    wrong_stage = await h.run(h.alice, "roadmap", stage="databases")
    assert wrong_stage.message.ephemeral and "no stage called **databases**" in wrong_stage.message.text()


async def test_autocomplete_offers_the_cohorts_roadmap(h):
    await h.create_cohort("web", roadmap="frontend")
    await h.create_cohort("back")
    await h.run(h.alice, "join", cohort="web")
    roadmaps = await h.fake.autocomplete(h.mod, h.guild, h.hall, "cohort create", focused="roadmap")
    assert [(c["name"], c["value"]) for c in roadmaps] == [
        ("Backend developer", "default"),
        ("Frontend developer", "frontend"),
    ]
    mine = await h.fake.autocomplete(h.alice, h.guild, h.hall, "goto", focused="topic")
    assert [c["value"] for c in mine] == [
        "fe-html",
        "fe-css",
        "fe-javascript",
        "fe-components",
        "fe-state",
        "fe-testing",
        "fe-deploy",
    ]
    # The cohort option typed so far decides, for a moderator too.
    backend = await h.fake.autocomplete(h.mod, h.guild, h.hall, "cohort set-progress", focused="topic", cohort="back")
    assert backend[0]["value"] == "dns"
    stages = await h.fake.autocomplete(h.bob, h.guild, h.hall, "roadmap", focused="stage", cohort="web")
    assert [c["value"] for c in stages] == ["fe-foundations", "fe-frameworks", "fe-delivery"]


async def test_an_unknown_roadmap_is_refused_and_nothing_is_created(h):
    reply = await h.run(
        h.mod, "cohort create", name="x", channel=h.hall, start_date="2026-12-01", timezone="UTC", roadmap="cooking"
    )
    assert reply.message.ephemeral
    text = reply.message.text()
    assert "no roadmap called **cooking**" in text
    assert "**Backend developer** (`default`)" in text and "**Frontend developer** (`frontend`)" in text
    assert await cohort_count(h) == 0


async def test_roadmap_by_title_and_default(h):
    await h.create_cohort("web", roadmap="frontend developer")
    await h.create_cohort("back")
    async with h.bot.services.progress._sessions() as session:
        keys = dict((await session.execute(select(Cohort.name, Cohort.roadmap_id))).all())
    assert keys == {"web": "frontend", "back": "default"}


async def test_roadmap_view_for_members_of_several_and_of_none(h):
    await h.create_cohort("web", roadmap="frontend")
    await h.create_cohort("back")
    # Not in any cohort, and the server's cohorts differ: the default roadmap.
    none = await h.run(h.carol, "roadmap")
    assert "Roadmap: Backend developer" in none.message.text()
    # A look at a cohort's roadmap before joining it.
    peek = await h.run(h.carol, "roadmap", cohort="web")
    assert "Roadmap: Frontend developer" in peek.message.text()
    unknown = await h.run(h.carol, "topic", topic="dns", cohort="wbe")
    assert unknown.message.ephemeral and "no cohort named **wbe**" in unknown.message.text()
    assert "Did you mean **web**?" in unknown.message.text()
    peek_topic = await h.run(h.carol, "topic", topic="flexbox", cohort="web")
    assert peek_topic.message.ephemeral and "no topic called" in peek_topic.message.text()
    css = await h.run(h.carol, "topic", topic="css layout", cohort="web")
    assert "Flexbox for one dimension" in css.message.text()

    await h.run(h.alice, "join", cohort="web")
    await h.run(h.alice, "join", cohort="back")
    both = await h.run(h.alice, "roadmap")
    assert both.message.ephemeral and "follow different roadmaps" in both.message.text()
    assert "`cohort` option" in both.message.text()
    chosen = await h.run(h.alice, "roadmap", cohort="back")
    assert "Roadmap: Backend developer\n➡️ **1. How the Web Works**" in chosen.message.text()


async def test_one_roadmap_in_the_server_is_shown_to_non_members(h):
    await h.create_cohort("web", roadmap="frontend")
    reply = await h.run(h.carol, "roadmap")
    assert "Roadmap: Frontend developer" in reply.message.text()


async def test_leaderboard_and_report_use_the_cohorts_roadmap(h):
    await h.create_cohort("web", roadmap="frontend")
    await h.run(h.alice, "join", cohort="web")
    for _ in range(3):
        await h.run(h.alice, "done")
    board = await h.run(h.alice, "leaderboard")
    assert "Foundations" in board.message.text()  # finished the first stage this week
    report = await h.run(h.mod, "cohort report", cohort="web")
    text = report.message.text()
    assert "A framework" in text and "How the Web Works" not in text
