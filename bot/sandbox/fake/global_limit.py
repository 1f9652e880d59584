"""Discord's global rate limit as the fake enforces it: requests a second per bot (its token), however
many processes and connections send them, with interaction answers exempt; and a global 429 that
tells the bot to wait, refusing it until then."""

from __future__ import annotations

import collections
import json
import time

from aiohttp import web


class GlobalLimit:
    """`per_second` over a sliding second for each sender (None: no limit); `refusals` holds when each
    429 went out (monotonic time)."""

    def __init__(self) -> None:
        self.per_second: float | None = None
        self.refusals: list[float] = []
        self._recent: collections.defaultdict[str, collections.deque[float]] = collections.defaultdict(
            collections.deque
        )
        self._held_until: dict[str, float] = {}
        self._hold_next: float | None = None

    @staticmethod
    def applies_to(path: str) -> bool:
        """Whether a request to `path` (without the API prefix) counts: Discord's "Interaction endpoints
        are not bound to the bot's Global Rate Limit" (the callback, and the webhook routes an
        interaction's token opens: the original answer and follow-ups)."""
        return not path.startswith(("/interactions/", "/webhooks/"))

    def hold_next(self, seconds: float) -> None:
        """Answer the next request that counts with a global 429 saying `retry_after: seconds`, and refuse
        that bot every request until then (as Discord does when its limit is exhausted)."""
        self._hold_next = seconds

    def refuse(self, sender: str) -> web.Response | None:
        """The 429 for a request from `sender` (a token, or an address without one), or None to let it in."""
        now = time.monotonic()
        if self._hold_next is not None:
            self._held_until[sender], self._hold_next = now + self._hold_next, None
        held = self._held_until.get(sender, 0.0) - now
        if held > 0:
            return self._refused(now, held)
        if self.per_second is None:
            return None
        recent = self._recent[sender]
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        if len(recent) >= self.per_second:
            return self._refused(now, max(0.001, recent[0] + 1.0 - now))
        recent.append(now)
        return None

    @property
    def refused(self) -> int:
        """How many 429s went out."""
        return len(self.refusals)

    def _refused(self, now: float, retry_after: float) -> web.Response:
        self.refusals.append(now)
        return web.Response(
            status=429,
            body=json.dumps(
                {"message": "You are being rate limited.", "retry_after": retry_after, "global": True}
            ).encode(),
            # discord.py treats a 429 without Via as a Cloudflare ban.
            headers={
                "Content-Type": "application/json",
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
                "Retry-After": str(retry_after),
                "Via": "1.1 google",
            },
        )
