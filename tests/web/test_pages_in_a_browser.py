"""The pages in a real browser (headless Chromium through Playwright): they load without an error, their
charts and boards show the numbers the bot shows in Discord, every link is reachable by keyboard, they fit a
phone, work without JavaScript, and an accessibility scan (axe) finds nothing serious. Screenshots of each
page land in test-artifacts/screenshots for review."""

from __future__ import annotations

import re

import pytest

from tests.commands.test_weekly_stats import board_number
from tests.web.browser import Watched, chromium, screenshot
from tests.web.helpers import link_in
from tests.web.test_cohort_page import busy

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


async def serious_violations(page) -> list[str]:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def tab_through(page) -> list[str]:
    """Press Tab until focus comes back around; what it reached on the way (a link's href, else its tag)."""
    reached: list[str] = []
    for _ in range(200):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "(() => { const e = document.activeElement; return e.getAttribute('href') || e.tagName; })()"
        )
        if focused == "BODY" and reached:
            break
        if reached and focused == reached[0]:
            break
        if focused != "BODY":
            reached.append(focused)
    return reached


async def test_the_cohort_page_in_a_browser(spring):
    h = spring
    link = await busy(h)
    await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-12-21", "to": "2027-01-03"})
    async with chromium() as browser:
        for scheme in ("light", "dark"):
            context = await browser.new_context(viewport=DESKTOP, color_scheme=scheme)
            page = await context.new_page()
            watched = Watched(page)
            await page.goto(link)
            await screenshot(page, f"cohort-{scheme}")
            assert watched.problems == [], watched.problems
            assert await serious_violations(page) == []
            await context.close()

        context = await browser.new_context(viewport=DESKTOP)
        page = await context.new_page()
        await page.goto(link)
        for period, anchor in (("this-week", "#this-week"), ("all-time", "#all-time")):
            rows = await page.locator(f"{anchor} tbody tr").all()
            shown = {}
            for row in rows:
                if await row.locator("th").count():
                    shown[await row.locator("th").inner_text()] = int(await row.locator("td[data-done]").inner_text())
            reply = await h.run(h.carol, "leaderboard", period=period)
            assert shown == {
                name: board_number(reply, user) for name, user in (("bob", h.bob),) if board_number(reply, user)
            }
        # Each bar is its number against the largest, and the numbers are what /cohort report says.
        table = [int(v) for v in await page.locator("td[data-members]").all_inner_texts()]
        widths = await page.eval_on_selector_all(
            "td[data-members] rect:not(.track)", "els => els.map(e => Number(e.getAttribute('width')))"
        )
        assert widths == [round(100 * n / max(table), 2) for n in table] and sum(table) == 3
        report = (await h.run(h.mod, "cohort report", cohort="spring")).message.embeds[0]["description"]
        assert sorted(int(n) for n in re.findall(r"(\d+) · \d+\.", report)) == sorted(n for n in table if n)
        assert await page.locator("svg line.today").count() == 1 and await page.locator("svg rect.pause").count()
        links = await page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        reached = await tab_through(page)
        assert {r for r in reached if r != "DIV"} == set(links) and reached[0] == "#content"
        assert "DIV" in reached  # the timeline, which scrolls on a phone, takes the keyboard too
        await context.close()

        phone = await browser.new_context(viewport=PHONE, java_script_enabled=False, is_mobile=True)
        page = await phone.new_page()
        watched = Watched(page)
        await page.goto(link + "?lang=de")
        await screenshot(page, "cohort-phone-de")
        assert watched.problems == []
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert await page.locator("h2#per-stage").inner_text() == "Mitglieder je Etappe"
        await phone.close()


async def test_a_member_page_in_a_browser(spring):
    h = spring
    await h.run(h.bob, "done")
    await h.run(h.bob, "checkin", minutes=40)
    link = link_in(await h.run(h.bob, "mypage"))
    async with chromium() as browser:
        for name, viewport in (("member", DESKTOP), ("member-phone", PHONE)):
            context = await browser.new_context(viewport=viewport)
            page = await context.new_page()
            watched = Watched(page)
            await page.goto(link)
            await screenshot(page, name)
            assert watched.problems == []
            assert await serious_violations(page) == []
            assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            await context.close()
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(link)
        progress = (await h.run(h.bob, "progress")).message.embeds[0]
        assert await page.locator("[data-percent]").inner_text() == re.search(r"\d+%", str(progress))[0]
        minutes = await page.eval_on_selector_all("td[data-minutes]", "els => els.map(e => e.dataset.minutes)")
        assert minutes[-1] == "40"  # this week, the table's last row
        await context.close()
