"""The pages' protections: a request budget per client address, and the headers every answer carries."""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable

from bot.config import Networks

# No script, no frame, no form, no outside resource: the pages are HTML, one stylesheet and inline SVG.
# `data:` images for the empty favicon, so the browser asks for no /favicon.ico.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
TRACKED_MAX = 10_000  # addresses remembered at once; past it, the ones whose minute is over are forgotten


class RateLimit:
    """At most `per_minute` requests per client address in a fixed one-minute window."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    def check(self, address: str) -> float:
        """0 when the request may go on, else the seconds until the address's window opens again."""
        now = self._clock()
        start, count = self._windows.get(address, (now, 0))
        if now - start >= 60:
            start, count = now, 0
        if count >= self._per_minute:
            return max(60 - (now - start), 0.001)
        if address not in self._windows and len(self._windows) >= TRACKED_MAX:
            self._forget_expired(now)
        self._windows[address] = (start, count + 1)
        return 0.0

    def _forget_expired(self, now: float) -> None:
        self._windows = {a: w for a, w in self._windows.items() if now - w[0] < 60}
        if len(self._windows) >= TRACKED_MAX:  # a flood of fresh addresses: start over rather than grow
            self._windows.clear()

    @staticmethod
    def retry_after(seconds: float) -> str:
        return str(max(1, math.ceil(seconds)))


def client_address(remote: str | None, forwarded_for: str | None, proxies: Networks) -> str:
    """Whom to count a request against: the peer, or, when the peer is a trusted reverse proxy (`proxies`),
    the address it says it got the request from (the last one in X-Forwarded-For: the proxy's own addition;
    earlier ones are the client's to invent)."""
    peer = remote or "unknown"
    try:
        trusted = any(ipaddress.ip_address(peer) in network for network in proxies)
    except ValueError:
        trusted = False
    if trusted and forwarded_for:
        last = forwarded_for.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            return peer
    return peer
