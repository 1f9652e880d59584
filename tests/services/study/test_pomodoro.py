"""A focus cycle's timeline (bot.services.study.pomodoro): its bells, in order, whatever the lengths."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.services.study.pomodoro import BREAK_MINUTES, FOCUS_MINUTES, ROUNDS, Cycle

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Europe's clocks move: nothing here is local


def test_the_default_cycle_rings_seven_bells_and_ends_after_the_fourth_focus():
    cycle = Cycle(T0, 25, 5, 4)
    assert cycle.bells == 7
    assert [cycle.bell(n).at - T0 for n in range(7)] == [timedelta(minutes=m) for m in (25, 30, 55, 60, 85, 90, 115)]
    assert cycle.ends_at == T0 + timedelta(minutes=115) and cycle.bell(6).last


@given(
    focus=st.integers(*FOCUS_MINUTES),
    pause=st.integers(*BREAK_MINUTES),
    rounds=st.integers(*ROUNDS),
    rung=st.integers(0, 30),
    minutes=st.integers(0, 3000),
)
def test_bells_alternate_rise_and_what_is_due_is_what_has_passed(focus, pause, rounds, rung, minutes):
    cycle = Cycle(T0, focus, pause, rounds)
    bells = [cycle.bell(n) for n in range(cycle.bells)]
    assert [b.ends_focus for b in bells] == [n % 2 == 0 for n in range(cycle.bells)]
    assert all(a.at < b.at for a, b in itertools.pairwise(bells))
    assert [b.last for b in bells] == [n == cycle.bells - 1 for n in range(cycle.bells)]
    for bell in bells:
        start, end = cycle.round_span(bell.round)
        assert end - start == timedelta(minutes=focus)
        assert bell.at == (end if bell.ends_focus else end + timedelta(minutes=pause))
    now = T0 + timedelta(minutes=minutes)
    rung = min(rung, cycle.bells)
    due = cycle.due(rung, now)
    assert [b.number for b in due] == [b.number for b in bells[rung:] if b.at <= now]
    after = rung + len(due)
    assert cycle.next_after(after) == (bells[after].at if after < cycle.bells else None)
    assert (cycle.phase(after) is None) == (after == cycle.bells)
