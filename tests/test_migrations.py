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
