"""Local-time arithmetic across daylight-saving changes and week boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.services.cohorts.schedule import local_instant, next_daily, next_weekly, previous_weekly

BERLIN = "Europe/Berlin"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_berlin_spring_forward_keeps_09_00_local():
    # CET (+1) until 2026-03-29 01:00 UTC, CEST (+2) after.
    assert next_daily(utc(2026, 3, 27, 12), "09:00", BERLIN) == utc(2026, 3, 28, 8)
    assert next_daily(utc(2026, 3, 28, 8), "09:00", BERLIN) == utc(2026, 3, 29, 7)
    assert next_daily(utc(2026, 3, 29, 7), "09:00", BERLIN) == utc(2026, 3, 30, 7)


def test_berlin_autumn_back_keeps_09_00_local():
    assert next_daily(utc(2026, 10, 24, 7), "09:00", BERLIN) == utc(2026, 10, 25, 8)


def test_a_time_in_the_gap_or_the_fold_happens_exactly_once_that_day():
    # 02:30 does not exist on 2026-03-29 in Berlin; it occurs twice on 2026-10-25.
    slots = []
    at = utc(2026, 3, 27)
    for _ in range(4):
        at = next_daily(at, "02:30", BERLIN)
        slots.append(at)
    assert [s.date() for s in slots] == [date(2026, 3, 27), date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert slots[2] == utc(2026, 3, 29, 1, 30)  # the wall time read with the old offset: 03:30 CEST
    slots = []
    at = utc(2026, 10, 24)
    for _ in range(3):
        at = next_daily(at, "02:30", BERLIN)
        slots.append(at)
    assert slots == [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


def test_auckland_and_honolulu_in_one_cohort():
    # 09:00 local on 2026-11-24: Auckland (+13 in summer) is the day before in UTC, Honolulu (-10) the same day.
    assert local_instant(date(2026, 11, 24), "09:00", "Pacific/Auckland") == utc(2026, 11, 23, 20)
    assert local_instant(date(2026, 11, 24), "09:00", "Pacific/Honolulu") == utc(2026, 11, 24, 19)
    now = utc(2026, 11, 24, 12)
    assert next_daily(now, "09:00", "Pacific/Auckland") == utc(2026, 11, 24, 20)
    assert next_daily(now, "09:00", "Pacific/Honolulu") == utc(2026, 11, 24, 19)


def test_not_before_the_start_date():
    assert next_daily(utc(2026, 11, 24, 12), "09:00", BERLIN, not_before=date(2026, 12, 1)) == utc(2026, 12, 1, 8)


def test_weekly_slots_in_the_cohort_timezone():
    # Monday 18:00 Berlin. 2026-11-23 is a Monday.
    assert next_weekly(utc(2026, 11, 23, 16, 59), 0, "18:00", BERLIN) == utc(2026, 11, 23, 17)
    assert next_weekly(utc(2026, 11, 23, 17), 0, "18:00", BERLIN) == utc(2026, 11, 30, 17)
    assert previous_weekly(utc(2026, 11, 23, 17), 0, "18:00", BERLIN) == utc(2026, 11, 23, 17)
    assert previous_weekly(utc(2026, 11, 23, 16, 59), 0, "18:00", BERLIN) == utc(2026, 11, 16, 17)
    # Across the autumn change the week is 7 local days, 169 hours long.
    end = next_weekly(utc(2026, 10, 20), 0, "18:00", BERLIN)
    assert end - previous_weekly(end - timedelta(microseconds=1), 0, "18:00", BERLIN) == timedelta(hours=169)
