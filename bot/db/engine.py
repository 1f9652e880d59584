"""The async engine (with SQLite pragmas) and the session factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.db.onehop import one_hop_dbapi

SQLITE_BUSY_TIMEOUT_MS = 5000
# Page cache per connection. The OS caches the file too; a smaller private cache keeps the
# resident size down with several pooled connections (measured: the default 2 MiB cost ~3 MB RSS).
SQLITE_CACHE_KIB = 512
SQLITE_POOL_SIZE = 1


def ensure_sqlite_folder(database_url: str) -> None:
    """Create the folder of a file-backed SQLite database so a fresh checkout just runs."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; foreign keys are off by default per connection.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    # Deleted rows are overwritten, not left in free pages: /forget-me means gone from the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def create_engine(database_url: str) -> AsyncEngine:
    """An engine for `database_url`; on SQLite every connection gets WAL, foreign keys and a busy timeout."""
    ensure_sqlite_folder(database_url)
    sqlite = make_url(database_url).get_backend_name() == "sqlite"
    if sqlite:
        # SQLite takes one writer at a time. Two pooled connections writing at once make one of them
        # poll SQLite's busy handler (sleeps of 1 to 100 ms): under a burst of /done that polling was
        # the latency. One connection turns contention into an orderly asyncio queue instead.
        # (No pre-ping: a file has no server connection to drop.)
        # One trip to aiosqlite's thread per statement instead of three or four (bot.db.onehop).
        engine = create_async_engine(
            database_url,
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=0,
            module=one_hop_dbapi(),
            # Sessions end their own transactions (commit, or rollback on close), so the pool's
            # rollback-on-return would be one more trip that undoes nothing.
            pool_reset_on_return="none",
        )
    else:
        engine = create_async_engine(database_url, pool_pre_ping=True)
    if sqlite:
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (no lazy reload in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)
