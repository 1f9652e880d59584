"""The web pages in the real `studybot run` process: served on WEB_PORT while the bot runs, counted in the
metrics, the token never in the log, and the port closed once SIGTERM stops the bot."""

from __future__ import annotations

import socket

import aiohttp

from tests.e2e.live import live_bot
from tests.e2e.test_observability_e2e import free_port
from tests.web.helpers import link_in
from tests.web.page_html import board

SECRET = "e2e-page-secret-" + "y" * 32


async def test_the_running_bot_serves_its_pages_and_closes_the_port_when_stopped(tmp_path, db_url):
    web, metrics = free_port(), free_port()
    live = await live_bot(tmp_path, db_url, WEB_PORT=str(web), PAGE_SECRET=SECRET, METRICS_PORT=str(metrics))
    alice = live.members[0]
    await live.start()
    try:
        create = {"channel": live.hall, "start_date": "2026-11-02", "timezone": "Europe/Berlin"}
        await live.run(live.mod, "cohort create", name="spring", **create)
        await live.run(alice, "join", cohort="spring")
        await live.run(alice, "done")
        link = link_in(await live.run(live.mod, "cohort page", cohort="spring"))
        assert link.startswith(f"http://127.0.0.1:{web}/c/")
        async with aiohttp.ClientSession() as http:
            async with http.get(link) as page:
                assert page.status == 200
                body = await page.text()
            async with http.get(link[:-2] + "zz") as wrong:
                assert wrong.status == 404
            async with http.get(f"http://127.0.0.1:{metrics}/metrics") as response:
                counted = await response.text()
        assert board(body, "all-time") == {alice.name: 1}
        assert 'studybot_page_requests_total{outcome="cohort"} 1.0' in counted
        assert 'studybot_page_requests_total{outcome="not_found"} 1.0' in counted
    finally:
        code = await live.stop()
        await live.fake.stop()
    assert code == 0
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", web)) != 0  # nothing listens any more
    assert SECRET not in live.log() and "e2e-secret-token" not in live.log()
    assert f"cohort pages on http://127.0.0.1:{web}" in live.log()
