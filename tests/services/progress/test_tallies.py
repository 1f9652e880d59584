"""Leaderboards read tallies kept by /done (bot.services.progress.tallies). The rule they must keep: a member's
count for a week is their `done` events in [week start, next week start) of the cohort's leaderboard
week, ties to whoever reached it first. These tests hold the boards to that rule, computed here
straight from the history, across daylight-saving changes, moved weeks, races and start-up."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Cohort, Membership, ProgressEvent, WeeklyTally
from bot.services.authority import Authority
from bot.services.clock import FixedClock
from bot.services.cohorts.roadmap_sync import sync_roadmap
from bot.services.cohorts.settings import ChannelChoice, CohortOptions
from bot.services.container import Services
from bot.services.errors import Conflict
from bot.services.progress import tallies
from bot.services.progress.leaderboard import PERIODS, TOP, period_bounds
from tests.harness import ROADMAP

GUILD = 1
ADMIN = Authority(user_id=99, manage_guild=True)  # Manage Server: moderates every cohort
USERS = list(range(100, 114))  # more than TOP: some ranks come from counting who is ahead


@pytest.fixture
async def db(db_url):
    engine = create_engine(db_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def cohort_with_history(sessions, *, seed: int, check_every: timedelta | None = None) -> Services:
    """14 members doing and skipping topics at random moments over three weeks that cross the end of
    daylight saving time in Berlin (2026-10-25) and in New York (2026-11-01); the boards are held to
    the rule every `check_every` on the way."""
    await sync_roadmap(sessions, ROADMAP)
    clock = FixedClock(datetime(2026, 10, 12, 8, tzinfo=UTC))
    services = Services.build(sessions, ROADMAP, clock)
    # 02:30 on a Sunday: on 2026-10-25 that local time happens twice.
    options = CohortOptions(
        name="spring",
        channel=ChannelChoice(5),
        start_date="2026-10-05",
        timezone="Europe/Berlin",
        leaderboard_day="sunday",
    )
    await services.cohorts.create(GUILD, ADMIN, options)
    await services.cohorts.edit(GUILD, "spring", CohortOptions(leaderboard_time="02:30"), ADMIN)
    for user in USERS:
        await services.progress.join(GUILD, user, "spring")
    rng = random.Random(seed)
    next_check = clock.now() + (check_every or timedelta(days=999))
    while clock.now() < datetime(2026, 11, 2, tzinfo=UTC):  # past both changes
        if clock.now() >= next_check:
            await assert_boards_follow_the_rule(services, sessions)
            next_check += check_every or timedelta(0)
        clock.set(clock.now() + timedelta(minutes=rng.randrange(1, 400)))
        user = rng.choice(USERS)
        try:
            if rng.random() < 0.8:
                await services.progress.done(GUILD, user, None, None)
            else:
                await services.progress.skip(GUILD, user, None)
        except Conflict:
            pass  # finished the roadmap
    return services


async def expected(sessions, cohort: Cohort, start: datetime, end: datetime) -> list[tuple[int, int]]:
    """(user id, topics done) in [start, end), ranked by the rule, from the history itself."""
    async with sessions() as session:
        rows = (
            await session.execute(
                select(Membership.id, Membership.user_id, ProgressEvent.at)
                .join(Membership, Membership.id == ProgressEvent.membership_id)
                .where(
                    ProgressEvent.cohort_id == cohort.id,
                    ProgressEvent.kind == "done",
                    ProgressEvent.at >= start,
                    ProgressEvent.at < end,
                )
            )
        ).all()
    counts: dict[tuple[int, int], list[datetime]] = {}
    for membership_id, user_id, at in rows:
        counts.setdefault((membership_id, user_id), []).append(at)
    ranked = sorted(counts.items(), key=lambda item: (-len(item[1]), max(item[1]), item[0][0]))
    return [(user_id, len(ats)) for (_, user_id), ats in ranked]


async def assert_boards_follow_the_rule(services: Services, sessions) -> None:
    """The boards a member can ask for now (this week, last week, all time; the weekly post is last
    week's): the top, how many are ranked, and each member's own rank as `/leaderboard` shows it."""
    async with sessions() as session:
        cohort = await session.scalar(select(Cohort))
    for period in PERIODS:
        start, end = period_bounds(cohort, period, services.clock.now())
        want = await expected(sessions, cohort, start, end)
        board = await services.leaderboards.compute(cohort, start, end, period)
        assert [(e.user_id, e.done) for e in board.top] == want[:TOP], (period, start)
        assert [e.rank for e in board.top] == list(range(1, len(board.top) + 1))
        assert board.ranked == len(want)
        for rank, (user_id, done) in enumerate(want, 1):
            seen = await services.leaderboards.compute(cohort, start, end, period, viewer_id=user_id)
            mine = seen.entry_for(user_id)
            assert mine is not None and (mine.rank, mine.done) == (rank, done), (period, start, user_id)


async def test_weekly_and_all_time_boards_follow_the_history_across_dst(db):
    services = await cohort_with_history(db, seed=3, check_every=timedelta(days=2, hours=7))
    await assert_boards_follow_the_rule(services, db)


async def test_moving_the_week_counts_the_history_again(db):
    services = await cohort_with_history(db, seed=5)
    await services.cohorts.edit(
        GUILD,
        "spring",
        CohortOptions(leaderboard_day="monday", leaderboard_time="18:00", timezone="America/New_York"),
        ADMIN,
    )
    await assert_boards_follow_the_rule(services, db)
    await services.cohorts.edit(GUILD, "spring", CohortOptions(leaderboard_time="07:15"), ADMIN)
    await assert_boards_follow_the_rule(services, db)


async def test_a_done_that_read_the_old_week_is_counted_in_the_new_one(db):
    services = await cohort_with_history(db, seed=7)
    progress = services.progress
    async with db() as session:
        cohort, membership = await services.memberships.membership_in(session, GUILD, USERS[0], None)
        before = len(list(await session.scalars(select(ProgressEvent.id))))
        await session.commit()  # the /done has read its cohort...
        # ...when a moderator moves the week: its first attempt finds another week and writes nothing.
        await services.cohorts.edit(GUILD, "spring", CohortOptions(leaderboard_day="wednesday"), ADMIN)
        assert cohort.leaderboard_weekday == 6
        result = await progress._advance_and_commit(session, cohort, membership, "done", None, None)
    assert result.kind == "done"
    async with db() as session:
        assert len(list(await session.scalars(select(ProgressEvent.id)))) == before + 1
    await assert_boards_follow_the_rule(services, db)


async def test_tallies_not_counted_yet_are_counted_at_start_up_or_by_the_next_done(db):
    services = await cohort_with_history(db, seed=11)
    async with db() as session:
        await session.execute(update(Cohort).values(tallied_week=None))
        await session.execute(update(WeeklyTally).values(done=WeeklyTally.done + 5))  # wrong until recounted
        await session.commit()
    assert await tallies.count_all_stale(db, services.clock.now()) == 1
    assert await tallies.count_all_stale(db, services.clock.now()) == 0
    await assert_boards_follow_the_rule(services, db)

    async with db() as session:  # an older bot never counted: the next /done counts the history first
        await session.execute(update(Cohort).values(tallied_week="older"))
        await session.execute(update(WeeklyTally).values(done=WeeklyTally.done + 5))
        await session.commit()
    for user in USERS:
        try:
            await services.progress.done(GUILD, user, None, None)
            break
        except Conflict:
            continue
    await assert_boards_follow_the_rule(services, db)


async def test_forgetting_a_member_forgets_their_tallies(db):
    services = await cohort_with_history(db, seed=13)
    async with db() as session:
        [membership_id] = await session.scalars(select(Membership.id).where(Membership.user_id == USERS[1]))
        assert await session.scalar(select(WeeklyTally.done).where(WeeklyTally.membership_id == membership_id))
    await services.exports.forget(GUILD, USERS[1], None)
    async with db() as session:
        assert list(await session.scalars(select(WeeklyTally).where(WeeklyTally.membership_id == membership_id))) == []
    await assert_boards_follow_the_rule(services, db)


async def test_weeks_no_board_asks_for_are_dropped_when_the_week_is_posted(db):
    services = await cohort_with_history(db, seed=17)
    now = services.clock.now()
    async with db() as session:
        cohort = await session.scalar(select(Cohort))
        weeks = set(await session.scalars(select(WeeklyTally.week_start)))
    kept = tallies.first_kept(cohort, now)
    assert min(weeks) < kept  # three weeks of history: something to drop
    await services.deliveries.claim_due_leaderboards()
    async with db() as session:
        assert set(await session.scalars(select(WeeklyTally.week_start))) == {w for w in weeks if w >= kept}
    await assert_boards_follow_the_rule(services, db)
