"""Page links through real discord.py: who gets which link, revoking and taking a page down, and the one 404
every link that opens nothing gets, whatever the reason (so links cannot be told apart or enumerated)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.db.engine import create_engine, create_sessionmaker
from bot.metrics import Metrics
from bot.services.container import Services
from bot.services.pages.links import LinkSigner, PageKey
from bot.web.server import PageServer, PageSite
from tests.harness import CATALOG, PAGE_SECRET, allow_command, start_harness, stop_harness
from tests.harness import database_dump as dump
from tests.web.helpers import cohort_link, fetch, link_in, origin


async def test_a_cohort_link_opens_its_page_until_revoked_or_taken_down(spring):
    h = spring
    first = await cohort_link(h)
    assert (await fetch(first)).status == 200
    assert await cohort_link(h) == first  # asking again gives the same link
    revoked = await h.run(h.mod, "cohort page", cohort="spring", revoke=True)
    second = link_in(revoked)
    assert "old link" in revoked.message.text() and second != first
    assert (await fetch(first)).status == 404 and (await fetch(second)).status == 200
    off = await h.run(h.mod, "cohort page", cohort="spring", off=True)
    assert off.message.ephemeral and "is off" in off.message.text()
    assert (await fetch(second)).status == 404
    info = await h.run(h.mod, "cohort info", cohort="spring")
    assert "Web page: off" in info.message.text()
    third = await cohort_link(h)  # back up: a new link, and neither old one opens again
    assert third not in (first, second)
    assert [(await fetch(u)).status for u in (first, second, third)] == [404, 404, 200]
    info = await h.run(h.mod, "cohort info", cohort="spring")
    assert "Web page: on" in info.message.text()


async def test_only_moderators_get_cohort_links_and_refusals_change_nothing(spring):
    h = spring
    allow_command(h, "cohort", h.guild.id)  # an admin opened /cohort to everyone: the bot still refuses
    before = await dump(h)
    refused = await h.run(h.bob, "cohort page", cohort="spring")
    assert refused.message.ephemeral and "Manage Server" in refused.message.text()
    both = await h.run(h.mod, "cohort page", cohort="spring", revoke=True, off=True)
    assert both.message.ephemeral and "not both" in both.message.text()
    member_and_off = await h.run(h.mod, "cohort page", cohort="spring", member=h.bob, off=True)
    assert "/mypage revoke:True" in member_and_off.message.text()
    unknown = await h.run(h.mod, "cohort page", cohort="autumn")
    assert unknown.message.ephemeral
    other = await h.run(h.bob, "cohort page", cohort="spring", member=h.alice)
    assert other.message.ephemeral and "Manage Server" in other.message.text()
    assert await dump(h) == before


async def test_a_member_page_is_theirs_and_their_moderators(spring):
    h = spring
    own = await h.run(h.bob, "mypage")
    link = link_in(own)
    assert "keep it to yourself" in own.message.text()
    assert (await fetch(link)).status == 200
    by_mod = link_in(await h.run(h.mod, "cohort page", cohort="spring", member=h.bob))
    assert by_mod == link  # the same page, the same link: the member's revoke covers both
    renewed = link_in(await h.run(h.bob, "mypage", revoke=True))
    assert renewed != link and (await fetch(link)).status == 404 and (await fetch(renewed)).status == 200
    outsider = await h.run(h.carol, "mypage")
    assert outsider.message.ephemeral and "not in any cohort" in outsider.message.text()


async def test_every_link_that_opens_nothing_gets_the_same_404(spring):
    h = spring
    page = await cohort_link(h)
    member = link_in(await h.run(h.bob, "mypage"))
    base = origin(page)
    signer = LinkSigner(PAGE_SECRET)
    token = page.rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    wrong = [
        f"{base}/c/{tampered}",
        f"{base}/c/{signer.token(PageKey('c', 999, 1))}",  # signed right, no such cohort
        f"{base}/c/{signer.token(PageKey('c', 1, 7))}",  # signed right, a version never given
        f"{base}/m/{token}",  # a cohort's token as a member's
        f"{base}/c/{member.rsplit('/', 1)[1]}",  # a member's token as a cohort's
        f"{base}/c/{LinkSigner('another secret of the same length as ours..').token(PageKey('c', 1, 1))}",
        f"{base}/c/1-1-",
        f"{base}/c/../../etc/passwd",
        f"{base}/",
        f"{base}/favicon.ico",
        f"{base}/c/{'9' * 400}-1-{'A' * 24}",
    ]
    answers = [await fetch(url) for url in wrong]
    assert {a.status for a in answers} == {404}
    assert len({a.body for a in answers}) == 1
    assert all(a.headers["Cache-Control"] == "no-store" for a in answers)
    assert "spring" not in answers[0].body
    forgotten = link_in(await h.run(h.alice, "mypage"))
    await h.confirm(h.alice, "leave", "Leave")
    gone = await fetch(forgotten)
    assert (gone.status, gone.body) == (404, answers[0].body)
    counted = h.bot.metrics.page_requests.labels("not_found")._value.get()
    assert counted == len(wrong) + 1


async def test_pages_off_on_this_bot_are_refused_plainly(db_url):
    h = await start_harness(db_url, web=False)
    try:
        await h.create_cohort("spring")
        await h.run(h.bob, "join", cohort="spring")
        before = await dump(h)
        for user, command in ((h.mod, "cohort page"), (h.bob, "mypage")):
            options = {"cohort": "spring"}
            reply = await h.run(user, command, **options)
            assert reply.message.ephemeral and "WEB_PORT" in reply.message.text(), reply.message.text()
            assert not re.search(r"https?://", reply.message.text().replace("docs/deploying.md", ""))
        assert await dump(h) == before
    finally:
        await stop_harness(h)


@given(
    kind=st.sampled_from(["c", "m"]),
    ident=st.integers(1, 10**12),
    version=st.integers(0, 10**6),
    position=st.integers(0, 200),
    replacement=st.characters(codec="ascii"),
)
def test_a_link_altered_anywhere_opens_nothing(kind, ident, version, position, replacement):
    signer = LinkSigner(PAGE_SECRET)
    key = PageKey(kind, ident, version)
    token = signer.token(key)
    assert signer.read(kind, token) == key
    position %= len(token)
    altered = token[:position] + replacement + token[position + 1 :]
    if altered != token:
        assert signer.read(kind, altered) is None
    assert signer.read("m" if kind == "c" else "c", token) is None


async def test_any_process_on_the_same_database_serves_the_same_page(spring, db_url):
    """A sharded deployment: another process (its own services, server and port, the same secret) opens
    the link this bot gave, and shows the same page."""
    h = spring
    link = await cohort_link(h)
    engine = create_engine(db_url)
    try:
        services = Services.build(create_sessionmaker(engine), CATALOG, h.clock)
        server = PageServer(PageSite(services, LinkSigner(PAGE_SECRET), Metrics(), per_minute=60), "127.0.0.1", 0)
        await server.start()
        try:
            elsewhere = f"http://127.0.0.1:{server.port}/c/{link.rsplit('/', 1)[1]}"
            assert elsewhere != link
            here, there = await fetch(link), await fetch(elsewhere)
            assert there.status == 200 and there.body == here.body
        finally:
            await server.stop()
    finally:
        await engine.dispose()
