"""The cohort calendar and pace."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.render.common import pace_label
from bot.roadmap import parse_roadmap
from bot.services.progress.pace import CohortCalendar, member_pace, stage_weeks
from bot.services.progress.streaks import best_streak, current_streak
from tests.harness import ROADMAP

START = date(2026, 11, 2)


@pytest.mark.parametrize(("pace", "total_weeks"), [("relaxed", 28), ("standard", 22.5), ("intense", 17)])
def test_stages_laid_end_to_end_at_each_pace(pace, total_weeks):
    calendar = CohortCalendar.build(ROADMAP, START, pace)
    assert calendar.total_days == pytest.approx(total_weeks * 7)
    assert calendar.stage_windows["how-the-web-works"].start_day == 0
    # Stage 2 starts where stage 1 ends.
    assert calendar.stage_windows["programming-language"].start_day == pytest.approx(7)


def test_topics_share_their_stage_equally():
    calendar = CohortCalendar.build(ROADMAP, START, "standard")
    databases = ROADMAP.stage("databases")
    stage_days = stage_weeks(databases, "standard") * 7  # 6 weeks
    windows = [calendar.windows[t.id] for t in databases.topics]
    assert all(w.length == pytest.approx(stage_days / 5) for w in windows)
    assert windows[0].start_day == calendar.stage_windows["databases"].start_day


def pace_on(topic: str | None, day: int, pace: str = "standard"):
    calendar = CohortCalendar.build(ROADMAP, START, pace)
    return member_pace(calendar, topic, START + timedelta(days=day))


def test_pace_labels():
    # Stage 1 is 7 days, 4 topics: DNS [0, 1.75), HTTP [1.75, 3.5), client-server [3.5, 5.25).
    assert pace_label(pace_on("dns", 0)) == "on track"
    assert pace_label(pace_on("dns", 1)) == "on track"
    assert pace_label(pace_on("dns", 2)) == "1 day behind"
    assert pace_label(pace_on("dns", 4)) == "3 days behind"
    assert pace_label(pace_on("client-server", 0)) == "3 days ahead"
    assert pace_label(pace_on("client-server", 3)) == "on track"
    assert pace_label(pace_on("dns", -5)) == "the cohort starts in 5 days"
    assert pace_label(pace_on(None, 100, "intense")) == "finished the roadmap, 19 days ahead of the calendar"
    assert pace_label(pace_on(None, 200, "intense")) == "finished the roadmap"


def test_pace_depends_on_the_cohort_pace():
    # Day 30: intense is at the framework topic already; relaxed is still on the fundamentals.
    assert pace_on("language-fundamentals", 30, "intense").kind == "behind"
    assert pace_on("language-fundamentals", 30, "relaxed").kind == "on-track"


def test_streaks():
    today = date(2026, 11, 24)
    days = [today - timedelta(days=n) for n in (0, 1, 2, 4)]
    assert current_streak(days, today) == 3
    assert current_streak(days[1:], today) == 2  # alive until the day ends
    assert current_streak(days[2:], today) == 0
    assert current_streak([], today) == 0


def test_the_best_streak_is_the_longest_run_and_pauses_bridge_it():
    today = date(2026, 11, 24)
    ago = [today - timedelta(days=n) for n in (0, 1, 5, 6, 7, 8, 12)]
    assert best_streak(ago) == 4
    assert best_streak(ago + ago) == 4  # two events on one day are one day
    assert best_streak([today - timedelta(days=n) for n in (2, 3, 4)], frozenset()) == 3
    assert best_streak(ago, frozenset({today - timedelta(days=n) for n in (2, 3, 4)})) == 6
    assert best_streak([]) == 0


def test_paused_days_stop_the_calendar_and_do_not_break_streaks():
    paused = frozenset(START + timedelta(days=n) for n in (2, 3, 4))
    calendar = CohortCalendar.build(ROADMAP, START, "standard", paused)
    assert calendar.day_of(START + timedelta(days=6)) == 3
    plain = CohortCalendar.build(ROADMAP, START, "standard")
    assert calendar.last_day == plain.last_day + timedelta(days=3)
    today = START + timedelta(days=5)
    active = {START + timedelta(days=1), today}
    assert current_streak(active, today, paused) == 2
    assert current_streak(active, today) == 1


ONE_WEEK = parse_roadmap(
    {
        "title": "One week",
        "stages": [
            {
                "id": "s",
                "title": "S",
                "summary": "One stage.",
                "weeks": {"min": 1, "max": 1},
                "projects": ["p"],
                "topics": [{"id": "a", "title": "A", "learn": ["x"]}, {"id": "b", "title": "B", "learn": ["y"]}],
            }
        ],
    },
    Path("one-week.yaml"),
)


@pytest.mark.parametrize(
    ("paused_offsets", "last_offset"),
    [
        ((), 6),  # seven study days: the start date and six more
        ((2, 3, 4, 5), 10),  # a four-day break inside moves the end by four
        ((0,), 7),  # a paused first day
        ((6,), 7),  # the last day paused: the calendar needs one more
        ((7, 8), 6),  # a break after the end changes nothing
        ((-3, -1), 6),  # nor one before the start
    ],
)
def test_the_last_day_counts_study_days_only(paused_offsets, last_offset):
    paused = frozenset(START + timedelta(days=n) for n in paused_offsets)
    assert CohortCalendar.build(ONE_WEEK, START, "standard", paused).last_day == START + timedelta(days=last_offset)


def test_days_on_a_topic_and_the_calendar_count_the_same_days():
    """A member who started a topic on day 1 and looks on day 7 across a four-day break has been
    on it two study days, which is also how far the calendar moved."""
    paused = frozenset(START + timedelta(days=n) for n in (2, 3, 4, 5))
    calendar = CohortCalendar.build(ONE_WEEK, START, "standard", paused)
    on_topic = calendar.study_days(START + timedelta(days=1), START + timedelta(days=7))
    assert on_topic == calendar.day_of(START + timedelta(days=7)) - calendar.day_of(START + timedelta(days=1)) == 2
    assert calendar.study_days(START + timedelta(days=7), START) == -7
