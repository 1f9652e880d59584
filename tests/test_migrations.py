"""The models and the migrations describe the same schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import SCHEMA_HEAD, alembic_config, current_revision, ensure_schema, upgrade_to_head
from bot.db.models import Base, Membership, WeeklyTally
from bot.services.progress.tallies import count_all_stale


async def test_models_and_migrations_agree(db_url):
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:

            def diff(sync_connection):
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return compare_metadata(context, Base.metadata), context.get_current_revision()

            differences, revision = await connection.run_sync(diff)
        assert differences == []
        assert revision == SCHEMA_HEAD
    finally:
        await engine.dispose()


async def test_sqlite_connections_use_wal_and_foreign_keys(db_url, backend):
    if backend.name != "sqlite":
        pytest.skip("SQLite pragmas")
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            values = [
                (await conn.execute(text(f"PRAGMA {p}"))).scalar()
                for p in ("journal_mode", "foreign_keys", "busy_timeout", "secure_delete")
            ]
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    assert values == ["wal", 1, 5000, 1]
    assert {"cohorts", "memberships", "progress_events", "roadmap_topics", "alembic_version"} <= tables


async def test_upgrading_keeps_existing_rows(backend, tmp_path):
    """Batch rebuilds on SQLite must not cascade-delete children (foreign keys are off while migrating),
    and the 0002 backfill must give old events their cohort."""
    url = await backend.empty(tmp_path)
    try:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "0001")
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO cohorts (id, guild_id, name, name_key, channel_id, start_date, timezone, nudge_time,"
                    " leaderboard_weekday, leaderboard_time, pace, created_by, created_at, moderator_role_id)"
                    " VALUES (1, 1, 'a', 'a', 1, '2026-01-01', 'UTC', '09:00', 0, '18:00', 'standard', 1,"
                    " '2026-01-01 00:00:00', 1),"
                    # A full-width name stored under the key older versions made (case-folded only).
                    " (2, 1, 'Ｓｐｒｉｎｇ', 'ｓｐｒｉｎｇ', 1,"
                    " '2026-01-01', 'UTC', '09:00', 0, '18:00', 'standard', 1, '2026-01-01 00:00:00', 7)"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO memberships (id, cohort_id, user_id, current_topic_id, topic_started_at, joined_at)"
                    " VALUES (1, 1, 5, 'dns', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO progress_events (id, membership_id, topic_id, kind, at)"
                    " VALUES (1, 1, 'dns', 'done', '2026-01-01 00:00:00'),"
                    " (2, 1, 'tls', 'skip', '2026-01-02 00:00:00'),"
                    # 0012: DNS done again (a review): it must not count a second time.
                    " (3, 1, 'dns', 'done', '2026-01-03 00:00:00')"
                )
            )
            await conn.execute(text("INSERT INTO roadmap_topics (topic_id, position) VALUES ('dns', 0), ('tls', 1)"))
        await engine.dispose()
        await asyncio.to_thread(upgrade_to_head, url)
        engine = create_engine(url)
        async with engine.connect() as conn:
            events = (
                await conn.execute(
                    text("SELECT membership_id, cohort_id, topic_id, first_done FROM progress_events ORDER BY id")
                )
            ).all()
            flags = (
                await conn.execute(
                    text("SELECT nudges_enabled, show_on_leaderboard, dm_notice_pending FROM memberships")
                )
            ).all()
            roadmap_keys = (await conn.execute(text("SELECT roadmap_id FROM cohorts ORDER BY id"))).scalars().all()
            keys = (await conn.execute(text("SELECT name_key, moderator_role_id FROM cohorts ORDER BY id"))).all()
            order = (
                await conn.execute(text("SELECT roadmap_id, topic_id, position FROM roadmap_topics ORDER BY position"))
            ).all()
            all_time = (await conn.execute(select(Membership.done_count, Membership.last_done_at))).all()
        # 0008: weekly tallies are counted at start-up, in each cohort's week.
        assert await count_all_stale(create_sessionmaker(engine), datetime(2026, 1, 5, tzinfo=UTC)) == 2
        async with engine.connect() as conn:
            weekly = (await conn.execute(select(WeeklyTally.week_start, WeeklyTally.done))).all()
        await engine.dispose()
        assert [tuple(r) for r in all_time] == [(1, datetime(2026, 1, 1, tzinfo=UTC))]
        assert [tuple(r) for r in weekly] == [(datetime(2025, 12, 29, 18, tzinfo=UTC), 1)]  # Monday 18:00 UTC
        # 0004: the cohorts and the stored topic order from before belong to the default roadmap.
        assert roadmap_keys == ["default", "default"]
        # 0005: keys by the normalised name (typing `spring` finds it); @everyone (id 1 = the server) cleared.
        assert [tuple(r) for r in keys] == [("a", None), ("spring", 7)]
        assert [tuple(r) for r in order] == [("default", "dns", 0), ("default", "tls", 1)]
        assert [(*r[:3], bool(r[3])) for r in events] == [
            (1, 1, "dns", True),
            (1, 1, "tls", False),
            (1, 1, "dns", False),
        ]
        assert [tuple(bool(v) for v in r) for r in flags] == [(True, True, False)]
    finally:
        await backend.drop(url)


def test_schema_head_constant_is_the_newest_migration():
    """`studybot run` skips Alembic when the database is at SCHEMA_HEAD, so it must be the real head."""
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


async def test_ensure_schema_migrates_once(backend, tmp_path):
    url = await backend.empty(tmp_path)
    engine = create_engine(url)
    try:
        assert await current_revision(engine) is None
        assert await ensure_schema(engine, url) is True
        assert await current_revision(engine) == SCHEMA_HEAD
        assert await ensure_schema(engine, url) is False
    finally:
        await engine.dispose()
        await backend.drop(url)
