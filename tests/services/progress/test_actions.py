"""Progress rules that need the database but not Discord: races, roadmap edits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot import i18n
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Membership, ProgressEvent, RoadmapTopic
from bot.roadmap import RoadmapCatalog, parse_roadmap
from bot.services import caller
from bot.services.authority import Authority
from bot.services.clock import FixedClock
from bot.services.cohorts.roadmap_sync import UnknownRoadmaps, sync_roadmap, sync_roadmaps
from bot.services.cohorts.settings import ChannelChoice, CohortOptions
from bot.services.container import Services
from bot.services.errors import Conflict
from tests.harness import CATALOG, EXAMPLE_ROADMAPS, ROADMAP, TEST_ROADMAP

GUILD = 1
ADMIN = Authority(user_id=99, manage_guild=True)  # Manage Server: moderates every cohort


@pytest.fixture
async def db(db_url):
    engine = create_engine(db_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def setup_members(sessions, roadmap, users=(10, 11)):
    await sync_roadmap(sessions, roadmap)
    services = Services.build(sessions, roadmap, FixedClock(datetime(2026, 11, 24, 12, tzinfo=UTC)))
    await services.cohorts.create(
        GUILD, ADMIN, CohortOptions(name="spring", channel=ChannelChoice(5), start_date="2026-11-02", timezone="UTC")
    )
    for user in users:
        await services.progress.join(GUILD, user, "spring")
    return services


async def test_racing_done_requests_advance_once(db):
    services = await setup_members(db, ROADMAP)
    clock = services.clock
    sent_at = clock.now() + timedelta(minutes=1)  # five /done created at one instant...
    clock.set(sent_at + timedelta(seconds=1))  # ...and handled a moment later, interleaved
    results = await asyncio.gather(
        *(services.progress.done(GUILD, 10, None, None, as_of=sent_at) for _ in range(5)), return_exceptions=True
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception))
    async with db() as session:
        assert (await session.scalar(select(Membership).where(Membership.user_id == 10))).current_topic_id == (
            "http-https"
        )
        assert len(list(await session.scalars(select(ProgressEvent)))) == 1


def edited_roadmap(mutate):
    data = yaml.safe_load((TEST_ROADMAP).read_text())
    mutate(data)
    return parse_roadmap(data, Path("edited.yaml"))


async def test_removed_topic_moves_members_to_the_next_existing_one(db, caplog):
    services = await setup_members(db, ROADMAP)
    await services.progress.done(GUILD, 10, None, None)  # dns done, now on http-https
    await services.progress.goto(GUILD, 11, None, "http-https")

    def drop_http_and_client_server(data):
        data["stages"][0]["topics"] = [
            t for t in data["stages"][0]["topics"] if t["id"] not in ("http-https", "client-server")
        ]

    edited = edited_roadmap(drop_http_and_client_server)
    moves = await sync_roadmap(db, edited)
    assert {(m.user_id, m.removed_topic_id, m.new_topic_id) for m in moves} == {
        (10, "http-https", "web-servers"),
        (11, "http-https", "web-servers"),
    }
    assert "no longer exists" in caplog.text
    async with db() as session:
        order = list(await session.scalars(select(RoadmapTopic.topic_id).order_by(RoadmapTopic.position)))
    assert order == [t.id for t in edited.topics]

    # Completions of removed topics stay in history but stop counting.
    edited_services = Services.build(db, edited, FixedClock(datetime(2026, 11, 24, 13, tzinfo=UTC)))
    report = await edited_services.progress_views.report(GUILD, 10, None)
    assert report.done_count == 1 and report.total_topics == len(edited.topics)

    def drop_dns(data):
        data["stages"][0]["topics"] = [t for t in data["stages"][0]["topics"] if t["id"] != "dns"]

    report = await Services.build(
        db, edited_roadmap(drop_dns), FixedClock(datetime(2026, 11, 24, 13, tzinfo=UTC))
    ).progress_views.report(GUILD, 10, None)
    assert report.done_count == 0
    async with db() as session:
        assert [e.topic_id for e in await session.scalars(select(ProgressEvent))] == ["dns"]


async def test_removing_the_last_topic_finishes_only_members_who_covered_every_other(db):
    services = await setup_members(db, ROADMAP, users=(10, 11))
    for _ in ROADMAP.topics[:-1]:
        await services.progress.skip(GUILD, 10, None)
    await services.progress.goto(GUILD, 11, None, "social-login")  # jumped there, nothing covered
    moves = await sync_roadmap(db, edited_roadmap(lambda d: d["stages"][7]["topics"].pop()))
    assert sorted((m.user_id, m.removed_topic_id, m.new_topic_id) for m in moves) == [
        (10, "social-login", None),
        (11, "social-login", "dns"),
    ]
    async with db() as session:
        members = {m.user_id: m for m in await session.scalars(select(Membership))}
    assert members[10].current_topic_id is None and members[10].finished_at is not None
    assert members[11].current_topic_id == "dns" and members[11].finished_at is None


async def test_members_marked_finished_with_topics_open_go_back_to_the_first_open_one(db):
    """An older version finished a member who jumped to the end; a grown roadmap has a new topic."""
    services = await setup_members(db, ROADMAP, users=(10, 11, 12))
    await services.progress.done(GUILD, 10, None, None)  # dns
    await services.progress.done(GUILD, 10, None, None)  # http-https
    for _ in ROADMAP.topics:
        await services.progress.done(GUILD, 11, None, None)
    async with db() as session, session.begin():
        legacy = await session.scalar(select(Membership).where(Membership.user_id == 10))
        legacy.current_topic_id, legacy.finished_at, legacy.next_nudge_at = None, legacy.topic_started_at, None
    now = datetime(2026, 11, 25, 8, tzinfo=UTC)

    moves = await sync_roadmap(db, ROADMAP, now=now)
    assert [(m.user_id, m.removed_topic_id, m.new_topic_id) for m in moves] == [(10, None, ROADMAP.topics[2].id)]
    async with db() as session:
        members = {m.user_id: m for m in await session.scalars(select(Membership))}
    assert members[10].finished_at is None and members[10].topic_started_at == now
    assert members[10].next_nudge_at is not None  # nudged again, from the next morning
    assert members[11].current_topic_id is None and members[11].finished_at is not None

    def add_topic(data):
        data["stages"][7]["topics"].append({"id": "passkeys", "title": "Passkeys", "learn": ["Sign in"]})

    moves = await sync_roadmap(db, edited_roadmap(add_topic), now=now)
    assert [(m.user_id, m.removed_topic_id, m.new_topic_id) for m in moves] == [(11, None, "passkeys")]
    assert await sync_roadmap(db, edited_roadmap(add_topic), now=now) == []


async def test_unchanged_roadmap_moves_nobody(db):
    await setup_members(db, ROADMAP)
    assert await sync_roadmap(db, ROADMAP) == []


async def test_each_roadmap_is_synced_only_for_its_own_cohorts(db, caplog):
    """Editing the frontend roadmap moves frontend members; backend members and order stay as they were."""
    await sync_roadmaps(db, CATALOG)
    services = Services.build(db, CATALOG, FixedClock(datetime(2026, 11, 24, 12, tzinfo=UTC)))
    await services.cohorts.create(
        GUILD,
        ADMIN,
        CohortOptions(
            name="web", channel=ChannelChoice(5), start_date="2026-11-02", timezone="UTC", roadmap="frontend"
        ),
    )
    await services.cohorts.create(
        GUILD, ADMIN, CohortOptions(name="back", channel=ChannelChoice(5), start_date="2026-11-02", timezone="UTC")
    )
    await services.progress.join(GUILD, 10, "web")
    await services.progress.goto(GUILD, 10, "web", "fe-css")
    await services.progress.join(GUILD, 11, "back")

    data = yaml.safe_load((EXAMPLE_ROADMAPS / "frontend.yaml").read_text())
    data["stages"][0]["topics"] = [t for t in data["stages"][0]["topics"] if t["id"] != "fe-css"]
    edited = RoadmapCatalog({"default": CATALOG.default, "frontend": parse_roadmap(data, Path("frontend.yaml"))})
    moves = await sync_roadmaps(db, edited)
    assert [(m.user_id, m.removed_topic_id, m.new_topic_id) for m in moves] == [(10, "fe-css", "fe-javascript")]
    assert "roadmap frontend: topic 'fe-css' no longer exists" in caplog.text
    async with db() as session:
        stored = (await session.execute(select(RoadmapTopic.roadmap_id, RoadmapTopic.topic_id))).all()
        current = dict((await session.execute(select(Membership.user_id, Membership.current_topic_id))).all())
    assert sorted(t for k, t in stored if k == "frontend") == sorted(t.id for t in edited["frontend"].topics)
    assert [t for k, t in stored if k == "default"] and current == {10: "fe-javascript", 11: "dns"}


async def test_a_cohort_on_a_roadmap_that_is_gone_stops_the_start(db):
    await sync_roadmaps(db, CATALOG)
    services = Services.build(db, CATALOG, FixedClock(datetime(2026, 11, 24, 12, tzinfo=UTC)))
    await services.cohorts.create(
        GUILD,
        ADMIN,
        CohortOptions(
            name="web", channel=ChannelChoice(5), start_date="2026-11-02", timezone="UTC", roadmap="frontend"
        ),
    )
    with pytest.raises(UnknownRoadmaps) as info:
        await sync_roadmaps(db, RoadmapCatalog.single(CATALOG.default))
    assert "roadmap 'frontend' (cohorts: web)" in str(info.value)
    assert "ROADMAPS_DIR" in str(info.value)


async def test_a_look_up_writes_nothing_and_remembering_the_caller_is_explicit(db):
    services = await setup_members(db, ROADMAP)
    with i18n.using("de"):
        caller.use_name("Zoë")
        async with db() as session:
            _, membership = await services.memberships.membership_in(session, GUILD, 10, None)
            assert not session.dirty and caller.NOTED not in session.info  # found, nothing noted
            caller.remember(session, membership)
            assert membership in session.dirty and session.info[caller.NOTED]
            await caller.commit_noted(session)
        caller.use_name(None)
    async with db() as session:
        kept = await session.scalar(select(Membership).where(Membership.user_id == 10))
        assert (kept.locale, kept.display_name) == ("de", "Zoë")
