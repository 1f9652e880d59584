"""How often members may make the bot post in a channel (a /share): per member and per channel, in
sliding windows, so nobody floods a cohort's channel through the bot and the bot's own posting stays
far from Discord's limits. Kept in the process: a server's commands all reach the one process (the
shard) that holds the server, and a restart forgets at most a few minutes of history."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.clock import Clock


@dataclass(frozen=True, slots=True)
class Window:
    """At most `count` posts within `span`."""

    count: int
    span: timedelta


# A member: two shares a minute (a correction after a typo), six an hour. A channel: ten a minute,
# whoever posts (a cohort sharing at the end of a session).
MEMBER_WINDOWS = (Window(2, timedelta(minutes=1)), Window(6, timedelta(hours=1)))
CHANNEL_WINDOWS = (Window(10, timedelta(minutes=1)),)
SWEEP_ABOVE = 1024  # keys kept before the idle ones are swept


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a post must wait: `who` is "member" or "channel"; `window` the limit it hit; `wait` until
    the oldest post in it leaves the window."""

    who: str
    window: Window
    wait: timedelta


class PostLimits:
    """Sliding windows of recent posts, by member and by channel."""

    def __init__(
        self,
        clock: Clock,
        member_windows: tuple[Window, ...] = MEMBER_WINDOWS,
        channel_windows: tuple[Window, ...] = CHANNEL_WINDOWS,
    ) -> None:
        self._clock = clock
        self._windows = {"member": member_windows, "channel": channel_windows}
        self._posts: dict[tuple[str, int], deque[datetime]] = {}

    def take(self, member_id: int, channel_id: int) -> Refusal | None:
        """Count a post by the member in the channel, or say why it must wait (then nothing is counted):
        the limit that holds it longest, so the wait named is when it goes through."""
        now = self._clock.now()
        keys = (("member", member_id), ("channel", channel_id))
        refusals = [r for key in keys if (r := self._refusal(key, now)) is not None]
        if refusals:
            return max(refusals, key=lambda r: r.wait)
        for key in keys:
            self._posts.setdefault(key, deque()).append(now)
        if len(self._posts) > SWEEP_ABOVE:
            self._sweep(now)
        return None

    def _sweep(self, now: datetime) -> None:
        """Forget everyone whose last post left every window (members who shared once, long ago)."""
        for key in [k for k, posts in self._posts.items() if posts[-1] <= now - self._longest(k[0])]:
            del self._posts[key]

    def _longest(self, who: str) -> timedelta:
        return max(w.span for w in self._windows[who])

    def give_back(self, member_id: int, channel_id: int) -> None:
        """The post counted by `take` was not made after all (Discord refused it)."""
        for key in (("member", member_id), ("channel", channel_id)):
            posts = self._posts.get(key)
            if posts:
                posts.pop()

    def _refusal(self, key: tuple[str, int], now: datetime) -> Refusal | None:
        windows = self._windows[key[0]]
        posts = self._posts.get(key)
        if not posts:
            return None
        longest = self._longest(key[0])
        while posts and posts[0] <= now - longest:
            posts.popleft()
        if not posts:
            del self._posts[key]  # nobody's history is kept longer than the longest window
            return None
        refusals = []
        for window in windows:
            recent = [at for at in posts if at > now - window.span]
            if len(recent) >= window.count:
                refusals.append(Refusal(key[0], window, recent[-window.count] + window.span - now))
        return max(refusals, key=lambda r: r.wait, default=None)
