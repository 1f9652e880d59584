"""Commands whose work grows with the cohort answer within Discord's 3 seconds even when the database is
slow: they defer ("thinking…") and then edit the answer. The fake forgets an interaction that is not
acknowledged within 3 s (error 10062), as Discord does, so a command that did not defer fails here."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.group_commit import GroupCommit
from bot.sandbox.fake.errors import NotAnswered
from bot.ui import answers

pytestmark = pytest.mark.slow  # waits out Discord's 3 seconds on purpose

ROUND_TRIP = 0.8  # seconds per statement: a database under heavy load


@pytest.fixture
async def spring(h):
    await h.create_cohort()
    for user in (h.alice, h.bob):
        await h.run(user, "join", cohort="spring")
    await h.run(h.alice, "done")
    return h


@pytest.fixture
def slow_database(monkeypatch):
    """Every statement the bot sends takes ROUND_TRIP longer; the event loop stays free meanwhile. The
    unit of work behind /done (`run_sync`, or a trip of SQLite's group commit) runs five statements:
    it takes two round trips."""

    def slowed(method, trips=1):
        async def slow(self, *args, **kwargs):
            await asyncio.sleep(ROUND_TRIP * trips)
            return await method(self, *args, **kwargs)

        return slow

    for name in ("execute", "scalar", "scalars", "get"):
        monkeypatch.setattr(AsyncSession, name, slowed(getattr(AsyncSession, name)))
    monkeypatch.setattr(AsyncSession, "run_sync", slowed(AsyncSession.run_sync, trips=2))
    monkeypatch.setattr(GroupCommit, "_run_batch", slowed(GroupCommit._run_batch, trips=2))


@pytest.mark.parametrize(
    ("user", "path", "options", "expected"),
    [
        ("mod", "cohort export", {"cohort": "spring"}, "**spring**: 2 members"),
        ("mod", "cohort report", {"cohort": "spring"}, "Report · spring"),
        ("mod", "cohort members", {"cohort": "spring"}, "Members of spring (2)"),
        ("alice", "progress", {}, "alice · spring"),
        ("alice", "leaderboard", {"period": "all-time"}, "Leaderboard · spring"),
    ],
)
async def test_slow_work_is_deferred_then_answered_in_the_same_message(
    spring, slow_database, user, path, options, expected
):
    h = spring
    reply = await h.run(getattr(h, user), path, timeout=30, **options)
    assert reply.callback_type == 5, "the slow command did not defer"
    assert reply.latency < 3.0  # the deferral itself arrived in time
    assert len(reply.messages) == 1 and reply.message.ephemeral
    assert expected in reply.message.text()
    if path == "cohort export":
        assert reply.message.attachments[0]["filename"] == "spring.csv"
    h.fake.assert_accepted_all()


async def test_a_slow_done_is_deferred_privately_then_public_news_unless_the_member_is_hidden(spring, slow_database):
    h = spring
    done = await h.run(h.bob, "done", timeout=30)
    assert done.callback_type == 5 and (done.callback_data or {}).get("flags") == 64  # "thinking…" privately
    assert not done.message.ephemeral and "**DNS** done!" in done.message.content  # then news for the group
    await h.run(h.alice, "settings", timeout=30, show_on_leaderboard="off")
    hidden = await h.run(h.alice, "done", timeout=30)
    assert hidden.callback_type == 5 and len(hidden.messages) == 1
    assert hidden.message.ephemeral and "done!" in hidden.message.content  # nothing of it in public
    h.fake.assert_accepted_all()


async def test_a_slow_refusal_replaces_the_thinking_message(spring, slow_database):
    h = spring
    reply = await h.run(h.mod, "cohort report", timeout=30, cohort="sprung")  # two look-ups: the name, then close ones
    assert reply.callback_type == 5 and len(reply.messages) == 1
    assert reply.message.ephemeral and "no cohort named **sprung**" in reply.message.content


async def test_quick_work_answers_at_once_without_a_deferral(spring):
    reply = await spring.run(spring.mod, "cohort members", cohort="spring")
    assert reply.callback_type == 4 and "Members of spring (2)" in reply.message.text()


async def test_without_a_deferral_discord_would_have_dropped_it(spring, slow_database, monkeypatch):
    """The fake enforces Discord's 3 s: the same slow command, never deferring, is refused (10062)."""
    h = spring
    monkeypatch.setattr(answers, "DEFER_AFTER", 60)
    with pytest.raises(NotAnswered, match="did not answer"):
        await h.run(h.mod, "cohort export", timeout=20, cohort="spring")
    assert any("Unknown interaction" in str(r) for r in h.fake.rejected)
    h.fake.rejected.clear()  # the refusal was the point of this test
