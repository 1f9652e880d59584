"""The models and the migrations describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from bot.db.models import Base


def test_models_and_migrations_agree(template_db):
    engine = create_engine(f"sqlite:///{template_db}")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() is not None
    engine.dispose()


def test_sqlite_connections_use_wal_and_foreign_keys(template_db, tmp_path):
    import asyncio
    import shutil

    from sqlalchemy import text

    from bot.db.engine import create_engine as create_async

    shutil.copy(template_db, tmp_path / "x.db")

    async def pragmas():
        engine = create_async(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
        async with engine.connect() as conn:
            values = [
                (await conn.execute(text(f"PRAGMA {p}"))).scalar()
                for p in ("journal_mode", "foreign_keys", "busy_timeout")
            ]
        await engine.dispose()
        return values

    assert asyncio.run(pragmas()) == ["wal", 1, 5000]
    tables = set(inspect(create_engine(f"sqlite:///{template_db}")).get_table_names())
    assert {"cohorts", "memberships", "progress_events", "roadmap_topics", "alembic_version"} <= tables


def test_upgrading_keeps_existing_rows(tmp_path):
    """Batch rebuilds on SQLite must not cascade-delete children (foreign keys are off while migrating)."""
    import sqlite3

    from alembic import command

    from bot.db.migrate import alembic_config, upgrade_to_head

    db = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{db}"
    command.upgrade(alembic_config(url), "0001")
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO cohorts VALUES (1, 1, 'a', 'a', 1, '2026-01-01', 'UTC', '09:00', 0, '18:00', 'standard',"
            " NULL, 1, '2026-01-01 00:00:00', NULL)"
        )
        conn.execute("INSERT INTO memberships VALUES (1, 1, 5, 'dns', '2026-01-01', '2026-01-01', NULL, NULL)")
        conn.execute(
            "INSERT INTO progress_events (id, membership_id, topic_id, kind, note, at)"
            " VALUES (1, 1, 'dns', 'done', NULL, '2026-01-01')"
        )
    upgrade_to_head(url)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT membership_id, cohort_id, topic_id FROM progress_events").fetchall() == [
            (1, 1, "dns")
        ]
        assert conn.execute(
            "SELECT nudges_enabled, show_on_leaderboard, dm_notice_pending FROM memberships"
        ).fetchall() == [(1, 1, 0)]


def test_schema_head_constant_is_the_newest_migration():
    """`studybot run` skips Alembic when the database is at SCHEMA_HEAD, so it must be the real head."""
    from alembic.script import ScriptDirectory

    from bot.db.migrate import SCHEMA_HEAD, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


async def test_ensure_schema_migrates_once(tmp_path):
    from bot.db.engine import create_engine as create_async
    from bot.db.migrate import SCHEMA_HEAD, current_revision, ensure_schema

    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    engine = create_async(url)
    try:
        assert await current_revision(engine) is None
        assert await ensure_schema(engine, url) is True
        assert await current_revision(engine) == SCHEMA_HEAD
        assert await ensure_schema(engine, url) is False
    finally:
        await engine.dispose()
