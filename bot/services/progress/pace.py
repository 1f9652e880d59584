"""The cohort calendar and a member's pace against it. Pure functions, no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.roadmap import Roadmap, Stage


def stage_weeks(stage: Stage, pace: str) -> float:
    """The weeks a stage gets at a pace: relaxed = max, standard = midpoint, intense = min."""
    if pace == "relaxed":
        return stage.weeks.max
    if pace == "intense":
        return stage.weeks.min
    return (stage.weeks.min + stage.weeks.max) / 2


@dataclass(frozen=True, slots=True)
class TopicWindow:
    """When the calendar schedules a topic, in days from the cohort's start date ([start, end))."""

    start_day: float
    end_day: float

    @property
    def length(self) -> float:
        return self.end_day - self.start_day


@dataclass(frozen=True, slots=True)
class CohortCalendar:
    """Stages laid end to end from the start date; each topic an equal share of its stage."""

    start_date: date
    windows: dict[str, TopicWindow]
    stage_windows: dict[str, TopicWindow]
    total_days: float
    paused: frozenset[date] = frozenset()

    @classmethod
    def build(
        cls, roadmap: Roadmap, start_date: date, pace: str, paused: frozenset[date] = frozenset()
    ) -> CohortCalendar:
        windows: dict[str, TopicWindow] = {}
        stage_windows: dict[str, TopicWindow] = {}
        cursor = 0.0
        for stage in roadmap.stages:
            stage_days = stage_weeks(stage, pace) * 7
            share = stage_days / len(stage.topics)
            stage_start = cursor
            for topic in stage.topics:
                windows[topic.id] = TopicWindow(cursor, cursor + share)
                cursor += share
            # Accumulated float shares can drift a hair; anchor the stage end exactly.
            cursor = stage_start + stage_days
            stage_windows[stage.id] = TopicWindow(stage_start, cursor)
        return cls(start_date, windows, stage_windows, cursor, paused)

    def study_days(self, since: date, until: date) -> int:
        """The days from `since` up to (not including) `until` that are not paused: the one way the
        calendar, pace and "days on this topic" count days (negative when `until` comes first)."""
        elapsed = (until - since).days
        if elapsed > 0 and self.paused:
            elapsed -= sum(1 for d in self.paused if since <= d < until)
        return elapsed

    def counted_days(self, since: date, today: date) -> int:
        """Study days from `since` up to today, today not counted: days before the cohort's start and
        break days never count. The one count of "days on this topic" and "days without progress",
        whatever shows it (the nudge, /progress, the moderators' report): 0 on the first day."""
        return max(0, self.study_days(max(since, self.start_date), today))

    def is_study_day(self, day: date) -> bool:
        """A day of the calendar on which members study: from the start date on, not a break day."""
        return day >= self.start_date and day not in self.paused

    def day_of(self, today: date) -> int:
        """Calendar days since the start date, paused days not counted (0 on the start date, negative before)."""
        return self.study_days(self.start_date, today)

    @property
    def last_day(self) -> date:
        """The last scheduled day: the start date plus every study day the stages need, pauses skipped.

        Raises OverflowError for a start date so late the calendar runs past year 9999.
        """
        return self.date_of(max(math.ceil(self.total_days), 1) - 1)

    def date_of(self, study_day: int) -> date:
        """The date of a study day (0: the first), paused days skipped: the one way study days map to dates.

        Raises OverflowError past year 9999.
        """
        day, remaining = self.start_date, study_day + 1
        while True:
            if day not in self.paused:
                remaining -= 1
                if remaining <= 0:
                    return day
            day += timedelta(days=1)

    def stage_span(self, stage_id: str) -> tuple[int, int]:
        """The first and last study day (0: the start date) of a stage. A study day belongs to the stage
        its morning falls in (the stage whose window holds the day's start), so stages whose budgets
        meet inside a day (half weeks) never share it, and every day has exactly one stage."""
        window = self.stage_windows[stage_id]
        first = math.ceil(window.start_day)
        return first, max(math.ceil(window.end_day) - 1, first)

    def stage_days(self, stage_id: str) -> tuple[date, date]:
        """The first and last date of a stage (`stage_span`, breaks skipped): the one map from the
        calendar to stage dates, read by /cohort info, stage events and the calendar file."""
        first, last = self.stage_span(stage_id)
        return self.date_of(first), self.date_of(last)


@dataclass(frozen=True, slots=True)
class PaceStatus:
    """Where a member is against the calendar. `days` > 0 ahead, < 0 behind."""

    kind: Literal["not-started", "on-track", "ahead", "behind", "finished"]
    days: int


def member_pace(calendar: CohortCalendar, current_topic_id: str | None, today: date) -> PaceStatus:
    """Compare the member's topic with where the calendar is today.

    A member is on track while today falls inside their current topic's window;
    ahead by the days until that window opens; behind by the days since it closed.
    """
    elapsed = calendar.day_of(today)
    if current_topic_id is None:
        return PaceStatus("finished", max(0, round(calendar.total_days - elapsed)))
    if elapsed < 0:
        return PaceStatus("not-started", -elapsed)
    window = calendar.windows[current_topic_id]
    if elapsed < window.start_day:
        ahead = int(window.start_day - elapsed)
        return PaceStatus("ahead", ahead) if ahead >= 1 else PaceStatus("on-track", 0)
    # `elapsed` is the whole day number; a topic whose window ends at 3.5 is due during day 3.
    if elapsed >= window.end_day:
        behind = int(elapsed - window.end_day) + 1
        return PaceStatus("behind", -behind)
    return PaceStatus("on-track", 0)
