"""A cohort's page over HTTP, against what the bot says in Discord for the same cohort: the boards are
/leaderboard's, members per stage are /cohort report's, the stage dates are /cohort info's. Hidden members
are counted and never named; /forget-me takes a member off at once; the page is safe to put online."""

from __future__ import annotations

import asyncio
import re

from tests.commands.test_weekly_stats import board_number
from tests.harness import database_dump as dump
from tests.web.helpers import cohort_link, fetch, link_in, origin
from tests.web.page_html import board, per_stage

SHARE = "https://github.com/bob/tiny-http-server"


async def busy(h) -> str:
    """spring with some history: bob ahead, alice hidden with topics done and a share, carol just in."""
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    await h.run(h.carol, "join", cohort="spring")
    for _ in range(3):
        await h.run(h.bob, "done")
    await h.run(h.bob, "share", url=SHARE)
    await h.run(h.alice, "done")
    await h.run(h.alice, "share", url="https://github.com/alice/secret-project")
    await h.run(h.alice, "settings", show_on_leaderboard="off")
    return await cohort_link(h)


async def test_the_page_shows_the_numbers_discord_shows(spring):
    h = spring
    link = await busy(h)
    page = await fetch(link)
    assert page.status == 200
    for period, anchor in (("this-week", "this-week"), ("all-time", "all-time")):
        shown = board(page.body, anchor)
        reply = await h.run(h.carol, "leaderboard", period=period)
        for name, user in (("bob", h.bob), ("carol", h.carol)):
            assert shown.get(name, 0) == board_number(reply, user), (period, name)
    assert board(page.body, "all-time") == {"bob": 3}
    report = (await h.run(h.mod, "cohort report", cohort="spring")).message.embeds[0]["description"]
    counted = {m[1]: int(m[0]) for m in re.findall(r"(\d+) · \d+\. (.+)", report)}
    assert {k: v for k, v in per_stage(page.body).items() if v} == counted
    assert sum(per_stage(page.body).values()) == 3  # alice, hidden, is counted
    info = (await h.run(h.mod, "cohort info", cohort="spring")).message.text()
    for first, last in re.findall(r"\d+\. [^:\n]+: (\d{4}-\d\d-\d\d) → (\d{4}-\d\d-\d\d)", info):
        assert f"<td>{first}</td><td>{last}</td>" in page.body
    assert SHARE in page.body


async def test_hidden_members_are_counted_never_named_and_forget_me_takes_a_member_off(spring):
    h = spring
    link = await busy(h)
    page = (await fetch(link)).body
    assert "alice" not in page and "secret-project" not in page
    assert "+1 more shared, not listed here" in page
    assert str(h.alice.id) not in page and str(h.bob.id) not in page  # names, never Discord ids
    await h.confirm(h.bob, "forget-me", "Delete my data")
    after = (await fetch(link)).body
    assert "bob" not in after and SHARE not in after
    assert sum(per_stage(after).values()) == 2


async def test_names_and_titles_are_text_never_markup(spring):
    h = spring
    mallory = h.fake.world.add_user('<script>alert(1)</script><img src=x onerror="x">')
    h.guild.add_member(mallory)
    await h.run(mallory, "join", cohort="spring")
    await h.run(mallory, "done")
    page = (await fetch(await cohort_link(h))).body
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert board(page, "all-time") == {'<script>alert(1)</script><img src=x onerror="x">': 1}


async def test_the_page_speaks_the_servers_language_or_the_one_asked_for(spring):
    h = spring
    link = await cohort_link(h)
    english = (await fetch(link)).body
    assert '<html lang="en">' in english and "Members per stage" in english
    german = (await fetch(link + "?lang=de")).body
    assert '<html lang="de">' in german and "Mitglieder je Etappe" in german
    odd = (await fetch(link + "?lang=xx%3Cb%3E")).body
    assert odd == english  # an unknown language is the server's, and never echoed


async def test_every_answer_carries_the_safety_headers_and_nothing_writes(spring):
    h = spring
    link = await cohort_link(h)
    before = await dump(h)
    answers = {
        "page": await fetch(link),
        "css": await fetch(origin(link) + "/static/page.css"),
        "missing": await fetch(origin(link) + "/c/nothing"),
        "post": await fetch(link, method="POST"),
        "put": await fetch(link, method="PUT"),
        "delete": await fetch(link, method="DELETE"),
    }
    for what, answer in answers.items():
        headers = answer.headers
        assert "script-src" not in headers["Content-Security-Policy"], what
        assert headers["Content-Security-Policy"].startswith("default-src 'none'"), what
        assert headers["X-Content-Type-Options"] == "nosniff", what
        assert headers["Referrer-Policy"] == "no-referrer", what
    assert {answers[m].status for m in ("post", "put", "delete")} == {405}
    assert answers["page"].headers["Cache-Control"] == "private, max-age=30"  # never in a shared cache
    assert "<script" not in answers["page"].body and " style=" not in answers["page"].body
    assert await dump(h) == before


async def test_each_client_address_has_its_own_budget(spring):
    h = spring
    link = await cohort_link(h)
    budget = h.bot.settings.web_requests_per_minute
    # The harness's pages see every request from loopback: a reverse proxy's, so the address it names counts.
    client = {"X-Forwarded-For": "203.0.113.7"}
    statuses = await asyncio.gather(*(fetch(link, headers=client) for _ in range(budget)))
    assert {s.status for s in statuses} == {200}
    over = await fetch(link, headers=client)
    assert over.status == 429 and int(over.headers["Retry-After"]) >= 1
    assert over.headers["Referrer-Policy"] == "no-referrer"
    spoofed = await fetch(link, headers={"X-Forwarded-For": "203.0.113.7, 198.51.100.9"})
    assert spoofed.status == 200  # the proxy's own (last) address counts, not what the client wrote first
    assert (await fetch(link, headers={"X-Forwarded-For": "198.51.100.20"})).status == 200
    assert h.bot.metrics.page_requests.labels("limited")._value.get() == 1


async def test_a_member_page_shows_what_progress_and_stats_show(spring):
    h = spring
    await h.run(h.bob, "done")
    await h.run(h.bob, "checkin", minutes=25)
    page = (await fetch(link_in(await h.run(h.bob, "mypage")))).body
    progress = (await h.run(h.bob, "progress")).message.embeds[0]
    percent = re.search(r"(\d+)%", str(progress))[1]
    assert f'data-percent="{percent}"' in page
    stats = (await h.run(h.bob, "stats")).message.text()
    assert "25 minutes" in stats and 'data-minutes="25"' in page and '<span class="num">25 minutes</span>' in page
    assert "bob" in page and str(h.bob.id) not in page
    german = (await fetch(link_in(await h.run(h.bob, "mypage")) + "?lang=de")).body
    assert '<html lang="de">' in german
    assert (await fetch(link_in(await h.run(h.bob, "mypage")))).headers["Cache-Control"].startswith("private")
