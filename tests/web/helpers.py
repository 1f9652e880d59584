"""Getting page links the way people do (the bot's private answers) and opening them over HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass

import aiohttp

LINK = re.compile(r"<(http://[^>]+)>")


def link_in(reply) -> str:
    """The page link a private answer gives."""
    assert reply.message.ephemeral, reply.message.text()
    found = LINK.search(reply.message.text())
    assert found, reply.message.text()
    return found[1]


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]
    body: str


async def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Fetched:
    """One request with a client of its own (no cookies, no connection kept)."""
    async with aiohttp.ClientSession() as session, session.request(method, url, headers=headers) as response:
        return Fetched(response.status, dict(response.headers), await response.text())


async def cohort_link(h, cohort: str = "spring", **options) -> str:
    return link_in(await h.run(h.mod, "cohort page", cohort=cohort, **options))


def origin(url: str) -> str:
    return re.match(r"http://[^/]+", url)[0]
