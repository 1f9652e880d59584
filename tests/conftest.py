"""Shared fixtures: the storage backend with its migrated template, a fresh database per test, and
the in-process bot harness."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import ENV_FILE_VARIABLE, Settings
from bot.db.engine import create_engine
from tests.backends import POSTGRES_ADMIN_URL, Backend, PostgresBackend, SqliteBackend
from tests.harness import TEST_ROADMAP, Harness, start_harness, stop_harness


def _hermetic_environment() -> None:
    """The suite reads neither a developer's `.env` nor their studybot variables (COMMAND_GUILD_IDS,
    METRICS_PORT, DATABASE_URL...): every `studybot` process a test starts inherits this environment,
    and each test sets what it means to."""
    settings = {name.upper() for name in Settings.model_fields}
    for key in list(os.environ):
        if key.upper() in settings:
            del os.environ[key]
    os.environ[ENV_FILE_VARIABLE] = ""  # no settings file, wherever a process starts
    os.environ["ROADMAP_PATH"] = str(TEST_ROADMAP)  # the tests' own roadmap, not the one people edit


_hermetic_environment()

# Property-based tests write no example database, and Hypothesis's own folder (constants it collects as
# it loads tests) lives in a temporary folder removed at exit: a run leaves nothing in the checkout.
settings.register_profile("studybot", database=None)
settings.load_profile("studybot")
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="studybot-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, ignore_errors=True)

E2E = Path(__file__).resolve().parent / "e2e"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--full", action="store_true", help="run every test, the e2e and slow ones too (CI does)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests under tests/e2e start the real `studybot run` process: marked `e2e`. Plain `pytest` runs the
    fast set a contributor runs all day (neither `e2e` nor `slow`); `--full`, a marker expression (`-m`)
    or naming test files runs what was asked for."""
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.e2e)
    if config.getoption("full") or config.option.markexpr or config.option.file_or_dir:
        return
    kept = [item for item in items if not item.get_closest_marker("e2e") and not item.get_closest_marker("slow")]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


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
async def sqlite_engine(db_url: str, backend: Backend) -> AsyncIterator[AsyncEngine]:
    """The bot's engine on this test's database, for tests of what only SQLite has (skipped on PostgreSQL)."""
    if backend.name != "sqlite":
        pytest.skip("SQLite only")
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def h(db_url: str) -> AsyncIterator[Harness]:
    harness = await start_harness(db_url)
    try:
        yield harness
    finally:
        await stop_harness(harness)


def pytest_report_header() -> str:
    return f"studybot storage backend: {'PostgreSQL' if POSTGRES_ADMIN_URL else 'SQLite'}"


@pytest.fixture
async def spring(h: Harness) -> Harness:
    """The harness with the cohort 'spring' (created by the moderator) and alice and bob in it; test files
    that need another start define their own `spring`."""
    await h.create_cohort("spring")
    for user in (h.alice, h.bob):
        await h.run(user, "join", cohort="spring")
    return h
