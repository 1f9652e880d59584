"""Geometry of the pages' SVG charts, drawn on the server. The templates turn these shapes into SVG (Jinja
escapes every text); the timeline comes with a table of the same dates as its text alternative, and bar
charts are tables with a bar beside each number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH = 720  # the viewBox; CSS scales it to the page
ROW = 30
LABEL_WIDTH = 250


@dataclass(frozen=True, slots=True)
class Band:
    """A horizontal bar: x and width in viewBox units, a class for its colour, and what it stands for."""

    x: float
    width: float
    css: str
    label: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """The calendar: one band per stage on a row of its own, the breaks across all rows, and today."""

    height: float
    rows: list[tuple[float, Band]]  # (y, band)
    breaks: list[Band]
    today_x: float | None  # None: today is outside the calendar
    ticks: list[tuple[float, str]]  # (x, label): the first day of each month on the calendar


def timeline(spans: list[tuple[str, date, date]], pauses: list[tuple[date, date]], today: date) -> Timeline:
    """Stages (title, first day, last day) laid on one time axis, with the breaks and today."""
    if not spans:
        return Timeline(ROW, [], [], None, [])
    first, last = spans[0][1], spans[-1][2]
    days = (last - first).days + 1

    def x(day: date) -> float:
        return LABEL_WIDTH + (WIDTH - LABEL_WIDTH) * (day - first).days / days

    rows = [
        (ROW * n + 4, Band(x(start), max(x(end) - x(start) + (WIDTH - LABEL_WIDTH) / days, 2), f"s{n % 6}", title))
        for n, (title, start, end) in enumerate(spans)
    ]
    height = ROW * len(spans) + 24
    breaks = [
        Band(x(max(start, first)), x(min(end, last)) - x(max(start, first)) + (WIDTH - LABEL_WIDTH) / days, "pause", "")
        for start, end in pauses
        if end >= first and start <= last
    ]
    today_x = x(today) if first <= today <= last else None
    ticks: list[tuple[float, str]] = []
    month = date(first.year, first.month, 1)
    while month <= last:
        if month >= first:
            ticks.append((x(month), month.strftime("%Y-%m")))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    if len(ticks) > 8:  # a long calendar: every n-th month, so the labels never overlap
        step = -(-len(ticks) // 8)
        ticks = ticks[::step]
    return Timeline(height, rows, breaks, today_x, ticks)


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a bar table: its label, its value, and its bar's length in percent of the longest."""

    label: str
    value: int
    percent: float
    css: str


def bars(values: list[tuple[str, int]]) -> list[Bar]:
    """A bar per (label, value), the longest for the largest value; a zero gets no bar at all. The page shows
    them as a table (the numbers as text, each bar a small SVG beside them), so the chart reads on a phone
    and a screen reader reads the table."""
    top = max((value for _, value in values), default=0) or 1
    return [Bar(label, value, round(100 * value / top, 2), f"s{n % 6}") for n, (label, value) in enumerate(values)]
