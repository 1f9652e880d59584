"""One Discord object per (cohort, kind, key): claims, records, a process that died mid-creation, a
deleted object, and a moderator's pick arriving while the bot creates its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db.engine import create_engine, create_sessionmaker
from bot.services.clock import FixedClock
from bot.services.cohorts.links import CLAIM_EXPIRES, STAGE_ROLE, THREAD
from bot.services.cohorts.roadmap_sync import sync_roadmap
from bot.services.cohorts.settings import ChannelChoice, CohortOptions
from bot.services.container import Services
from tests.harness import ROADMAP
from tests.services.progress.test_actions import ADMIN, GUILD


@pytest.fixture
async def links(db_url):
    engine = create_engine(db_url)
    sessions = create_sessionmaker(engine)
    await sync_roadmap(sessions, ROADMAP)
    services = Services.build(sessions, ROADMAP, FixedClock(datetime(2026, 11, 24, 12, tzinfo=UTC)))
    options = CohortOptions(name="spring", channel=ChannelChoice(5), start_date="2026-11-02", timezone="UTC")
    cohort = await services.cohorts.create(GUILD, ADMIN, options)
    yield services, cohort.id
    await engine.dispose()


async def test_one_claimer_and_the_rest_wait_then_reuse(links):
    services, cohort = links
    first = await services.links.claim(cohort, THREAD, "dns")
    second = await services.links.claim(cohort, THREAD, "dns")
    assert (first.mine, second.mine, second.discord_id) == (True, False, None)
    assert await services.links.made(cohort, THREAD, "dns", 77)
    assert (await services.links.claim(cohort, THREAD, "dns")).discord_id == 77
    other_kind = await services.links.claim(cohort, STAGE_ROLE, "dns")  # kinds never share a row
    assert other_kind.mine


async def test_a_claim_left_by_a_dead_process_expires_and_a_deleted_object_is_claimed_again(links):
    services, cohort = links
    assert (await services.links.claim(cohort, THREAD, "dns")).mine
    services.clock.set(services.clock.now() + CLAIM_EXPIRES + timedelta(seconds=1))
    assert (await services.links.claim(cohort, THREAD, "dns")).mine  # taken over, once
    assert not (await services.links.claim(cohort, THREAD, "dns")).mine
    await services.links.made(cohort, THREAD, "dns", 5)
    again = await services.links.gone(cohort, THREAD, "dns", 5)
    assert again.mine and not (await services.links.gone(cohort, THREAD, "dns", 5)).mine


async def test_a_moderators_pick_wins_over_an_object_created_meanwhile(links):
    services, cohort = links
    assert (await services.links.claim(cohort, STAGE_ROLE, "databases")).mine
    await services.links.choose(cohort, STAGE_ROLE, "databases", 900)
    assert not await services.links.made(cohort, STAGE_ROLE, "databases", 901)
    assert await services.links.known([cohort], STAGE_ROLE) == {(cohort, "databases"): 900}
