"""Shared fixtures: a migrated template database and the in-process bot harness."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db.migrate import upgrade_to_head
from tests.harness import Harness, start_harness, stop_harness


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrations run once per test session; each test copies the result."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_to_head(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
async def h(template_db: Path, tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(template_db, tmp_path)
    try:
        yield harness
    finally:
        await stop_harness(harness)
