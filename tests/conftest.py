"""Shared fixtures: the storage backend with its migrated template, a fresh database per test, and
the in-process bot harness."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.backends import POSTGRES_ADMIN_URL, Backend, PostgresBackend, SqliteBackend
from tests.harness import Harness, start_harness, stop_harness


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """Migrations run once per session into a template; each test copies it."""
    if POSTGRES_ADMIN_URL:
        pg = PostgresBackend(POSTGRES_ADMIN_URL)
        yield pg
        pg.close()
    else:
        yield SqliteBackend(tmp_path_factory.mktemp("template"))


@pytest.fixture
async def db_url(backend: Backend, tmp_path: Path) -> AsyncIterator[str]:
    """A freshly migrated database of its own for one test."""
    url = await backend.fresh(tmp_path)
    yield url
    await backend.drop(url)


@pytest.fixture
async def h(db_url: str) -> AsyncIterator[Harness]:
    harness = await start_harness(db_url)
    try:
        yield harness
    finally:
        await stop_harness(harness)


def pytest_report_header() -> str:
    return f"studybot storage backend: {'PostgreSQL' if POSTGRES_ADMIN_URL else 'SQLite'}"
