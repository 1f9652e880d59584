"""A focus cycle's timeline: `rounds` rounds of focus with a break between two (none after the last),
and the bells that end each part. Pure: a timer row's start and lengths say when everything happens.

Bell n (0-based) ends focus round n // 2 + 1 when n is even, and the break after it when n is odd; a
cycle of R rounds has 2R - 1 bells, the last one ending the last round and the cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_FOCUS, DEFAULT_BREAK, DEFAULT_ROUNDS = 25, 5, 4
# What /focus start takes (a round shorter than MIN_STAY would never count).
FOCUS_MINUTES = (5, 180)
BREAK_MINUTES = (1, 60)
ROUNDS = (1, 12)
# A bell that rings this late (the bot was away) is not announced: its round still counts.
LATE = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Bell:
    """One bell of a cycle: `number` (0-based), the round it belongs to (1-based) and when it rings."""

    number: int
    round: int
    ends_focus: bool  # True: the round's focus ends (a break or the end follows); False: a break ends
    at: datetime
    last: bool


@dataclass(frozen=True, slots=True)
class Cycle:
    """The timeline of one timer."""

    started_at: datetime
    focus_minutes: int
    break_minutes: int
    rounds: int

    @property
    def bells(self) -> int:
        """How many bells the cycle rings."""
        return 2 * self.rounds - 1

    def round_span(self, round_: int) -> tuple[datetime, datetime]:
        """When focus round `round_` (1-based) starts and ends."""
        start = self.started_at + (round_ - 1) * timedelta(minutes=self.focus_minutes + self.break_minutes)
        return start, start + timedelta(minutes=self.focus_minutes)

    def bell(self, number: int) -> Bell:
        """Bell `number` (0 <= number < bells)."""
        round_ = number // 2 + 1
        _, focus_end = self.round_span(round_)
        ends_focus = number % 2 == 0
        at = focus_end if ends_focus else focus_end + timedelta(minutes=self.break_minutes)
        return Bell(number, round_, ends_focus, at, number == self.bells - 1)

    @property
    def ends_at(self) -> datetime:
        """When the last round ends."""
        return self.bell(self.bells - 1).at

    def due(self, rung: int, now: datetime) -> list[Bell]:
        """The bells not rung yet (`rung` of them were) that are due at `now`, in order."""
        return [self.bell(n) for n in range(rung, self.bells) if self.bell(n).at <= now]

    def next_after(self, rung: int) -> datetime | None:
        """When the first bell not rung yet rings; None when all have."""
        return self.bell(rung).at if rung < self.bells else None

    def phase(self, rung: int) -> tuple[bool, int, datetime] | None:
        """What runs until the next bell: (focusing, round, until); None once the cycle is over."""
        if rung >= self.bells:
            return None
        bell = self.bell(rung)
        return bell.ends_focus, bell.round, bell.at
