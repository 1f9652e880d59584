"""The rules of study time (bot.services.study.rules), each on its own, then the properties that must hold
whatever the stays look like: found by Hypothesis faster than by examples."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.study.rules import (
    DAY_MINUTES,
    MIN_STAY,
    Stretch,
    counted,
    minutes_by_day,
    minutes_by_topic,
)

BERLIN = "Europe/Berlin"
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def stay(start: datetime, minutes: float, topic: str | None = "dns") -> Stretch:
    return Stretch(topic, start, start, start + timedelta(minutes=minutes))


def test_a_stay_under_the_minimum_counts_nothing_and_one_at_it_counts_whole():
    short = stay(T0, MIN_STAY.total_seconds() / 60 - 0.1)
    enough = stay(T0 + timedelta(hours=2), MIN_STAY.total_seconds() / 60)
    assert counted([short], {}, BERLIN, NOW) == []
    assert minutes_by_day(counted([enough], {}, BERLIN, NOW)) == {date(2026, 3, 10): 5}


def test_the_minimum_is_the_stay_not_a_part_of_it_a_topic_change_leaves():
    """3 minutes on one topic and 3 on the next, in one stay: six minutes studied, split by topic."""
    first = Stretch("dns", T0, T0, T0 + timedelta(minutes=3))
    second = Stretch("http", T0, T0 + timedelta(minutes=3), T0 + timedelta(minutes=6))
    pieces = counted([first, second], {}, BERLIN, NOW)
    assert minutes_by_topic(pieces) == {"dns": 3, "http": 3}
    assert minutes_by_day(pieces) == {date(2026, 3, 10): 6}


def test_midnight_in_the_members_timezone_splits_a_stay():
    start = datetime(2026, 3, 10, 22, 30, tzinfo=UTC)  # 23:30 in Berlin, 18:30 in New York
    pieces = counted([stay(start, 75)], {}, BERLIN, NOW)
    assert minutes_by_day(pieces) == {date(2026, 3, 10): 30, date(2026, 3, 11): 45}
    assert minutes_by_day(counted([stay(start, 75)], {}, "America/New_York", NOW)) == {date(2026, 3, 10): 75}


def test_a_day_holds_1440_minutes_with_check_ins_and_rooms_together():
    day = date(2026, 3, 10)
    pieces = counted([stay(T0, 60)], {day: DAY_MINUTES - 10}, BERLIN, NOW)
    assert minutes_by_day(pieces) == {day: 10}
    assert counted([stay(T0, 60)], {day: DAY_MINUTES}, BERLIN, NOW) == []


def test_an_open_stay_counts_until_now_and_not_before_the_minimum():
    open_stay = Stretch("dns", T0, T0, None)
    assert counted([open_stay], {}, BERLIN, T0 + timedelta(minutes=4)) == []
    assert minutes_by_day(counted([open_stay], {}, BERLIN, T0 + timedelta(minutes=42))) == {date(2026, 3, 10): 42}


def test_a_daylight_saving_night_has_its_own_length():
    """Berlin's spring-forward night (29 March 2026) is 23 hours long: a stay over it splits at both
    midnights and counts real minutes, not wall-clock ones."""
    start = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)  # 23:00 on the 28th in Berlin
    pieces = counted([stay(start, 26 * 60)], {}, BERLIN, NOW)
    days = minutes_by_day(pieces)
    assert days == {date(2026, 3, 28): 60, date(2026, 3, 29): 23 * 60, date(2026, 3, 30): 120}  # until 02:00


# Stays as lists of (start offset, [part lengths]): each part a topic of one stay, in minutes.
stays_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60 * 24 * 6),
        st.lists(st.integers(min_value=0, max_value=60 * 30), min_size=1, max_size=4),
    ),
    max_size=6,
)
zones = st.sampled_from([BERLIN, "UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "America/Santiago"])


def build(stays: list[tuple[int, list[int]]]) -> list[Stretch]:
    """Non-overlapping stays (as a member is in one place at a time), each split into its topic parts."""
    rows: list[Stretch] = []
    cursor = T0
    for gap, parts in stays:
        start = cursor + timedelta(minutes=gap)
        at = start
        for n, length in enumerate(parts):
            rows.append(Stretch(f"t{n}", start, at, at + timedelta(minutes=length)))
            at += timedelta(minutes=length)
        cursor = at + timedelta(minutes=1)
    return rows


@settings(max_examples=150, deadline=None)
@given(stays=stays_strategy, zone=zones, checkins=st.integers(min_value=0, max_value=DAY_MINUTES))
def test_no_day_ever_holds_more_than_a_day(stays, zone, checkins):
    rows = build(stays)
    days = {r.started_at.date() + timedelta(days=d) for r in rows for d in (-1, 0, 1, 2)}
    by_day = minutes_by_day(counted(rows, dict.fromkeys(days, checkins), zone, NOW))
    assert all(0 < minutes + checkins <= DAY_MINUTES for minutes in by_day.values())


@settings(max_examples=150, deadline=None)
@given(stays=stays_strategy, zone=zones)
def test_a_topic_change_never_changes_how_long_a_day_was(stays, zone):
    """The same stays, once whole and once split at every /done: the same seconds on every day."""
    split = build(stays)
    ends: dict[datetime, datetime] = {}
    for r in split:
        ends[r.stay_started_at] = max(ends.get(r.stay_started_at, r.ended_at), r.ended_at)
    whole = [Stretch(None, start, start, end) for start, end in ends.items()]

    def seconds(rows: list[Stretch]) -> dict[date, int]:
        totals: dict[date, int] = {}
        for piece in counted(rows, {}, zone, NOW):
            totals[piece.day] = totals.get(piece.day, 0) + piece.seconds
        return totals

    assert seconds(split) == seconds(whole)


@settings(max_examples=150, deadline=None)
@given(stays=stays_strategy, zone=zones)
def test_without_a_cap_every_second_of_a_long_enough_stay_counts_once(stays, zone):
    rows = build(stays)
    long_enough: dict[datetime, float] = {}
    for r in rows:
        long_enough[r.stay_started_at] = (
            long_enough.get(r.stay_started_at, 0) + (r.ended_at - r.started_at).total_seconds()
        )
    expected = sum(s for s in long_enough.values() if s >= MIN_STAY.total_seconds())
    pieces = counted(rows, {}, zone, NOW)
    # A day caps at 1,440 minutes: only a stay longer than a day may lose seconds, never gain any.
    total = sum(p.seconds for p in pieces)
    assert total <= expected
    if all(s <= 20 * 3600 for s in long_enough.values()):
        assert total == expected


@settings(max_examples=100, deadline=None)
@given(stays=stays_strategy, zone=zones)
def test_a_periods_minutes_are_its_days_minutes(stays, zone):
    """minutes_in over all time and minutes per day count the same seconds (only rounding per day differs)."""
    from bot.services.study.ledger import tally

    study = tally([], build(stays), zone, NOW)
    whole = study.minutes_in(T0 - timedelta(days=3), NOW)
    by_day = sum(study.room_minutes.values())
    assert by_day <= whole <= by_day + len(study.room_minutes)


def focus(start: datetime, minutes: float, topic: str | None = "dns") -> Stretch:
    return Stretch(topic, start, start, start + timedelta(minutes=minutes), source="focus")


def test_a_group_round_in_the_room_counts_its_minutes_once_on_the_topic_begun_first():
    room = stay(T0, 40, topic="dns")
    round_ = focus(T0 + timedelta(minutes=10), 25, topic="http")  # inside the stay
    pieces = counted([room, round_], {}, BERLIN, NOW)
    assert minutes_by_day(pieces) == {date(2026, 3, 10): 40}
    assert minutes_by_topic(pieces) == {"dns": 40}


def test_a_focus_round_and_a_room_stay_that_share_a_start_are_each_a_stay_of_their_own():
    """The minimum is each source's stay: a 3-minute visit is not made whole by a round begun with it."""
    visit = stay(T0, 3)
    round_ = focus(T0, 25)
    assert minutes_by_day(counted([visit, round_], {}, BERLIN, NOW)) == {date(2026, 3, 10): 25}


def _union_seconds(intervals: list[tuple[datetime, datetime]]) -> float:
    total, covered = 0.0, None
    for start, end in sorted(intervals):
        if covered is not None:
            start = max(start, covered)
        if end > start:
            total += (end - start).total_seconds()
        covered = end if covered is None else max(covered, end)
    return total


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["room", "focus"]), st.integers(0, 600), st.integers(1, 90)), min_size=1, max_size=8
    )
)
def test_time_counts_once_whatever_overlaps_room_stays_and_focus_rounds_have(spans):
    """Counted seconds are exactly the union of the stays and rounds long enough to count (all within a
    day well under its 1,440 minutes): never a second twice, never one lost."""
    rows = [
        Stretch("dns", T0 + timedelta(minutes=a), T0 + timedelta(minutes=a), T0 + timedelta(minutes=a + n), source=s)
        for s, a, n in spans
    ]
    # Two rows of one source with the same start are one stay (its longest row): as the rules read them.
    longest: dict[tuple[str, datetime], datetime] = {}
    for row in rows:
        key = (row.source, row.stay_started_at)
        longest[key] = max(longest.get(key, row.ended_at), row.ended_at)
    qualifying = [(start, end) for (_, start), end in longest.items() if end - start >= MIN_STAY]
    pieces = counted(rows, {}, "UTC", NOW)
    assert sum(p.seconds for p in pieces) == _union_seconds(qualifying)
