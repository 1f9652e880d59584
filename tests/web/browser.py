"""Headless Chromium (Debian's `chromium` package) driven by Playwright, for the pages' browser tests.

Playwright never downloads a browser here: it drives the system's, with the flags a closed network needs.
Without the browser the tests are skipped, unless STUDYBOT_REQUIRE_BROWSER is set (as `.ci/run` sets it,
after installing the package): then its absence fails them."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("STUDYBOT_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def require_browser() -> None:
    if CHROMIUM.exists():
        return
    message = f"no Chromium at {CHROMIUM}: `apt-get install chromium` (what .ci/run does)"
    if os.environ.get("STUDYBOT_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """A headless Chromium, closed (with every process it started) on exit."""
    require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


class Watched:
    """A page with everything that went wrong on it: console errors, script errors, failed or refused requests."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", lambda m: m.type in ("error", "warning") and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"script: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))


async def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot for review (test-artifacts/screenshots/<name>.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
