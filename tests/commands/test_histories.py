"""Random histories through the real bot (issue 25, part 8): members join before and after the start,
do, skip and go back to topics, check in, hide, leave and come back, change timezone, and breaks are
planned, while the clock runs. After every history the features that show the same number must agree:
the weekly and all-time leaderboards, /progress, the CSV export; and each nudge's days on its topic
with /progress at that moment."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from bot.services.progress.leaderboard import period_bounds
from tests.backends import Backend
from tests.commands.calendars import stage_days_in_ics, stage_days_in_info
from tests.harness import Harness, start_harness, stop_harness

MEMBERS = ("alice", "bob", "carol")
ZONES = ("Europe/Berlin", "America/Sao_Paulo", "Australia/Sydney", "Pacific/Kiritimati", "America/New_York")
TOPICS = ("dns", "http-https", "client-server", "web-servers", "choose-language", "language-fundamentals")
# Where a history begins: late November, and a few days before daylight-saving changes (the United
# States on 14 March 2027, Europe on 28 March and 31 October 2027, the United States on 7 November).
ANCHORS = (
    datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
    datetime(2027, 3, 10, 12, 0, tzinfo=UTC),
    datetime(2027, 3, 25, 12, 0, tzinfo=UTC),
    datetime(2027, 10, 28, 12, 0, tzinfo=UTC),
)

who = st.sampled_from(MEMBERS)
actions = st.one_of(
    st.tuples(st.just("wait"), st.integers(1, 60)),  # hours
    st.tuples(st.sampled_from(["done", "done", "done", "skip", "checkin", "leave", "join", "hide", "show"]), who),
    st.tuples(st.just("goto"), who, st.sampled_from(TOPICS)),
    st.tuples(st.just("redo"), who, st.sampled_from(TOPICS[:3])),  # back to a topic, likely done, and done
    st.tuples(st.just("timezone"), who, st.sampled_from(ZONES)),
    st.tuples(st.just("pause"), st.integers(0, 20), st.integers(0, 5)),  # days from today, length
)


# Each history runs the real bot on a fresh database (about a tenth of a second): a few each run, none written to
# disk; shrinking is left out so a failure costs one more history, not minutes (the failing history is
# printed whole).
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(
    anchor=ANCHORS[0],
    start_offset=-3,
    zone="Europe/Berlin",
    history=[("done", "alice"), ("goto", "alice", "dns"), ("done", "alice")],
)
@given(
    anchor=st.sampled_from(ANCHORS),
    start_offset=st.integers(-10, 12),
    zone=st.sampled_from(ZONES),
    history=st.lists(actions, min_size=5, max_size=35),
)
def test_every_feature_shows_the_same_numbers_after_any_history(backend: Backend, anchor, start_offset, zone, history):
    asyncio.run(_check(backend, anchor, (anchor + timedelta(days=start_offset)).date(), zone, history))


async def _check(backend: Backend, anchor: datetime, start: date, zone: str, history: list[tuple]) -> None:
    url = await backend.fresh(Path(tempfile.mkdtemp(prefix="studybot-history-")))
    h = await start_harness(url, now=anchor)
    try:
        await h.create_cohort(start_date=start.isoformat(), timezone=zone)
        users = {name: getattr(h, name) for name in MEMBERS}
        for user in users.values():  # before or after the start, as `start` falls
            await h.run(user, "join", cohort="spring")
        for action in history:
            await _play(h, users, action)
        for user in users.values():
            await _compare(h, user)
        await _compare_report(h, users.values())
        assert await stage_days_in_ics(h) == await stage_days_in_info(h)
    finally:
        await stop_harness(h)
        await backend.drop(url)


async def _play(h: Harness, users: dict, action: tuple) -> None:
    kind = action[0]
    if kind == "wait":
        end = h.clock.now() + timedelta(hours=action[1])
        while h.clock.now() < end:  # a running bot ticks all along: every nudge is sent on time
            before = {name: len(h.fake.dms_to(u)) for name, u in users.items()}
            h.clock.set(min(end, h.clock.now() + timedelta(hours=4)))
            await h.bot.scheduler.tick()
            for name, user in users.items():
                for nudge in h.fake.dms_to(user)[before[name] :]:
                    if "On this topic" in nudge.text():
                        # Days on the topic, the nudge's and /progress's at the same moment.
                        progress = (await h.run(user, "progress")).message.text()
                        assert _days(nudge.text()) == _days(progress), (nudge.text(), progress)
    elif kind == "pause":
        first = h.clock.now().date() + timedelta(days=action[1] + 1)
        last = first + timedelta(days=action[2])
        await h.run(h.mod, "cohort pause", cohort="spring", **{"from": first.isoformat(), "to": last.isoformat()})
    elif kind == "goto":
        await h.run(users[action[1]], "goto", topic=action[2])
    elif kind == "redo":
        await h.run(users[action[1]], "goto", topic=action[2])
        await h.run(users[action[1]], "done")
    elif kind == "timezone":
        await h.run(users[action[1]], "settings", timezone=action[2])
    elif kind in ("hide", "show"):
        await h.run(users[action[1]], "settings", show_on_leaderboard="on" if kind == "show" else "off")
    elif kind == "join":
        await h.run(users[action[1]], "join", cohort="spring")
    elif kind == "leave":
        question = await h.run(users[action[1]], "leave")
        if question.message.buttons:
            await h.fake.click(users[action[1]], h.guild, question.message, question.message.buttons[0]["label"])
    else:
        await h.run(users[action[1]], kind)


def _days(text: str) -> str:
    found = re.search(r"On this topic\W+(\d+(?:\.\d)?) days?", text)
    assert found, text
    return found[1]


def _count(text: str, user_id: int, field: str) -> int:
    """A member's count on a leaderboard: their own line, or the "You" field."""
    line = re.search(rf"<@{user_id}> · (\d+) topics?", text)
    you = re.search(r"You: (?:#\d+ of \d+ with )?(\d+) topics?", text)
    if field == "line":
        return int(line[1]) if line else 0
    return int(you[1]) if you else 0


async def _compare_report(h: Harness, users) -> None:
    """A topic only one member is on: the report's days on it are that member's, as /progress shows them."""
    report = (await h.run(h.mod, "cohort report", cohort="spring")).message.text()
    alone = dict(re.findall(r"(?:^|: )([^:\n]+): (\d+) / [\d.]+ days? · 1 member$", report, re.MULTILINE))
    for user in users:
        progress = (await h.run(user, "progress")).message.text()
        topic = re.search(r"^Topic: \*\*(.+)\*\*$", progress, re.MULTILINE)
        if topic and topic[1] in alone:
            assert alone[topic[1]] == _days(progress), (report, progress)


async def _compare(h: Harness, user) -> None:
    progress = (await h.run(user, "progress")).message.text()
    done = re.search(r"Done: (\d+)/", progress)
    if done is None:  # not in the cohort now: no numbers to compare
        assert "not in" in progress.lower() or "left" in progress.lower(), progress
        return
    export = await h.run(h.mod, "cohort export", cohort="spring")
    [attachment] = export.message.attachments
    rows = list(csv.DictReader(io.StringIO(h.fake.files[int(attachment["id"])].decode())))
    mine = [r for r in rows if r["user_id"] == f"<@{user.id}>" and r["record"] == "done"]
    assert len({r["topic_id"] for r in mine}) == len(mine) == int(done[1]), (progress, mine)

    all_time = (await h.run(user, "leaderboard", period="all-time")).message.text()
    assert _count(all_time, user.id, "you") == len(mine), all_time
    hidden = "you are hidden" in all_time
    assert _count(all_time, user.id, "line") == (0 if hidden else len(mine)), all_time

    async with h.bot.services.progress._sessions() as session:
        cohort = await h.bot.services.cohorts.find_in(session, h.guild.id, "spring")
    week_start, _ = period_bounds(cohort, "this-week", h.clock.now())
    in_week = [r for r in mine if datetime.fromisoformat(r["at"]) >= week_start]
    this_week = (await h.run(user, "leaderboard")).message.text()
    assert _count(this_week, user.id, "you") == len(in_week), (this_week, in_week, week_start)
