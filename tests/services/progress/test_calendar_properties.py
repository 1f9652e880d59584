"""Property-based checks of the one map from the cohort calendar to days (issue 25): stage spans cover
every study day exactly once, whatever the budgets, pace and breaks; days on a topic never count a day
before the start or a break day."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.roadmap import Roadmap, Stage, Topic, Weeks
from bot.services.progress.pace import CohortCalendar

START = date(2026, 11, 2)


@st.composite
def roadmaps(draw: st.DrawFn) -> Roadmap:
    """Roadmaps of 1-8 stages with budgets in half weeks (as the guide gives them) and 1-6 topics each."""
    stages = []
    for s in range(draw(st.integers(1, 8))):
        low = draw(st.integers(1, 16)) / 2
        high = low + draw(st.integers(0, 8)) / 2
        topics = [Topic(id=f"t{s}-{i}", title=f"T{s}.{i}", learn=["x"]) for i in range(draw(st.integers(1, 6)))]
        stages.append(
            Stage(id=f"s{s}", title=f"S{s}", summary="x", weeks=Weeks(min=low, max=high), topics=topics, projects=["p"])
        )
    return Roadmap(title="R", stages=stages)


breaks = st.lists(
    st.tuples(st.integers(0, 200), st.integers(0, 20)).map(
        lambda b: frozenset(START + timedelta(days=b[0] + n) for n in range(b[1] + 1))
    ),
    max_size=3,
).map(lambda parts: frozenset().union(*parts))


@settings(max_examples=300, deadline=None)
@given(roadmaps(), st.sampled_from(["relaxed", "standard", "intense"]), breaks)
def test_stage_spans_cover_every_study_day_once_and_end_with_the_calendar(roadmap, pace, paused):
    calendar = CohortCalendar.build(roadmap, START, pace, paused)
    spans = [calendar.stage_span(stage.id) for stage in roadmap.stages]
    assert spans[0][0] == 0
    for (_, last), (first, _) in itertools.pairwise(spans):
        assert first == last + 1  # no overlap, no gap
    dates = [calendar.stage_days(stage.id) for stage in roadmap.stages]
    for (_, last), (first, _) in itertools.pairwise(dates):
        assert last < first
    assert dates[-1][1] == calendar.last_day
    for first, last in dates:
        assert first not in paused and last not in paused and first <= last


@settings(max_examples=300, deadline=None)
@given(breaks, st.integers(-40, 250), st.integers(0, 260))
def test_counted_days_skip_days_before_the_start_and_break_days(paused, since_offset, today_offset):
    calendar = CohortCalendar.build(Roadmap(title="R", stages=[_one_stage()]), START, "standard", paused)
    since, today = START + timedelta(days=since_offset), START + timedelta(days=today_offset)
    expected = sum(
        1 for n in range((today - since).days) if (day := since + timedelta(days=n)) >= START and day not in paused
    )
    assert calendar.counted_days(since, today) == max(expected, 0)
    assert calendar.counted_days(since, since) == 0


def _one_stage() -> Stage:
    return Stage(
        id="s",
        title="S",
        summary="x",
        weeks=Weeks(min=1, max=2),
        topics=[Topic(id="t", title="T", learn=["x"])],
        projects=["p"],
    )
