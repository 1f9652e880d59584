from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.live import Live, end_leftovers, live_bot


def pytest_sessionfinish() -> None:
    """Whatever happened, no `studybot run` outlives the test session."""
    end_leftovers()


@pytest.fixture
async def live(tmp_path, db_url) -> AsyncIterator[Live]:
    bot = await live_bot(tmp_path, db_url)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
        await bot.fake.stop()
        bot.fake.assert_accepted_all()
