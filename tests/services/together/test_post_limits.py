"""Property-based checks of the /share limits (issue 26, part 6): whatever the order and timing of
posts, no window ever holds more accepted posts than it allows, a refusal counts nothing, and the wait
it names is exactly when the same post would be accepted (as long as nobody else posts meanwhile)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.clock import FixedClock
from bot.services.together.post_limits import CHANNEL_WINDOWS, MEMBER_WINDOWS, PostLimits

START = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

# (seconds since the previous post, member 0-3, channel 0-1)
attempts = st.lists(st.tuples(st.integers(0, 900), st.integers(0, 3), st.integers(0, 1)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(attempts)
def test_no_window_ever_holds_more_than_it_allows(steps):
    clock = FixedClock(START)
    limits = PostLimits(clock)
    accepted: list[tuple[datetime, int, int]] = []
    for gap, member, channel in steps:
        clock.set(clock.now() + timedelta(seconds=gap))
        refusal = limits.take(member, channel)
        if refusal is None:
            accepted.append((clock.now(), member, channel))
        else:
            assert refusal.wait > timedelta(0)
        now = clock.now()
        for window in MEMBER_WINDOWS:
            recent = [a for a in accepted if a[1] == member and a[0] > now - window.span]
            assert len(recent) <= window.count
        for window in CHANNEL_WINDOWS:
            assert len([a for a in accepted if a[2] == channel and a[0] > now - window.span]) <= window.count


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=12))
def test_the_wait_a_refusal_names_is_when_the_post_goes_through(gaps):
    clock = FixedClock(START)
    limits = PostLimits(clock)
    for gap in gaps:
        clock.set(clock.now() + timedelta(seconds=gap))
        refusal = limits.take(1, 1)
        if refusal is None:
            continue
        clock.set(clock.now() + refusal.wait - timedelta(microseconds=1))
        assert limits.take(1, 1) is not None  # a moment early: still refused
        clock.set(clock.now() + timedelta(microseconds=1))
        assert limits.take(1, 1) is None  # on time: accepted
