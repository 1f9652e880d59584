"""Group commit for SQLite: units of work from concurrent commands run together, in one trip to
aiosqlite's thread and one transaction.

Why: SQLite has one writer, and this bot one pooled connection to it. A `/done` through the async
session holds that connection for six trips to aiosqlite's thread, and every trip waits for a turn of
the event loop: in a burst of a thousand, the loop is busy and the queue drains at several
milliseconds a member. Here each waiting command hands over a unit of work (a function of a
synchronous ORM session); whoever finds no batch running starts one: everything queued so far runs
inside aiosqlite's thread, each unit inside its own SAVEPOINT, then one COMMIT. A unit that raises
has its savepoint rolled back and gets its exception; the others are not touched. Every caller's
answer still waits for the commit that holds its write.

Units run with the context (contextvars) of the command that submitted them: its language, its
member's name, its log fields. They must not await anything.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

T = TypeVar("T")
Unit = Callable[[Session], Any]
MAX_BATCH = 256  # one trip's worth: long enough to empty a burst quickly, short enough to answer early


class _Borrowed:
    """aiosqlite's sqlite3 connection lent to a synchronous engine for one trip: everything but close."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def close(self) -> None:
        """The connection belongs to the async pool; only it closes it."""


class GroupCommit:
    """Runs units of work for one SQLite async engine, batched (see the module's docstring)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._pending: list[tuple[contextvars.Context, Unit, asyncio.Future]] = []
        self._draining: asyncio.Task | None = None
        self._sync: tuple[sqlite3.Connection, Engine] | None = None
        self.batches = 0  # how many transactions ran: for tests and benchmarks

    async def run(self, unit: Callable[[Session], T]) -> T:
        """Run `unit(session)` in the next batch; its result once the batch is committed."""
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending.append((contextvars.copy_context(), unit, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                outcomes = await self._run_batch(batch)
            except BaseException as error:  # the batch as a whole failed: nobody's write is in
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            for (_, _, future), (ok, value) in zip(batch, outcomes, strict=True):
                if future.done():  # its caller gave up waiting; the write is in all the same
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    async def _run_batch(self, batch: list) -> list[tuple[bool, Any]]:
        async with self._engine.connect() as connection:
            raw = await connection.get_raw_connection()
            worker = raw.driver_connection  # the aiosqlite connection: its thread owns the sqlite3 one
            outcomes = await worker._execute(self._in_thread, worker._conn, batch)
        self.batches += 1
        return outcomes

    def _engine_for(self, connection: sqlite3.Connection) -> Engine:
        if self._sync is None or self._sync[0] is not connection:
            engine = create_engine(
                "sqlite://", creator=lambda: _Borrowed(connection), poolclass=StaticPool, pool_reset_on_return="none"
            )
            self._sync = (connection, engine)
        return self._sync[1]

    def _in_thread(self, connection: sqlite3.Connection, batch: list) -> list[tuple[bool, Any]]:
        outcomes: list[tuple[bool, Any]] = []
        with self._engine_for(connection).connect() as sync:
            sync.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                for n, (context, unit, _) in enumerate(batch):
                    sync.exec_driver_sql(f"SAVEPOINT unit{n}")
                    session = Session(bind=sync, expire_on_commit=False)
                    try:
                        value = context.run(_flushed, unit, session)
                    except Exception as error:
                        session.close()
                        sync.exec_driver_sql(f"ROLLBACK TO unit{n}")
                        sync.exec_driver_sql(f"RELEASE unit{n}")
                        outcomes.append((False, error))
                        continue
                    session.close()
                    sync.exec_driver_sql(f"RELEASE unit{n}")
                    outcomes.append((True, value))
                sync.commit()
            except BaseException:
                sync.rollback()
                raise
        return outcomes


def _flushed(unit: Unit, session: Session) -> Any:
    value = unit(session)
    session.flush()  # the unit's ORM changes go in with its savepoint, before the next unit's
    return value


def group_commit_for(engine: AsyncEngine) -> GroupCommit | None:
    """A GroupCommit for a SQLite engine; None for others (PostgreSQL commits concurrently anyway)."""
    return GroupCommit(engine) if make_url(str(engine.url)).get_backend_name() == "sqlite" else None
