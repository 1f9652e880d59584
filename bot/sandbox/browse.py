"""`open`: a web page the bot gave a link to, read as a browser would show its text, so a sandbox script
can follow `/cohort page` or `/mypage` to the page itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import aiohttp

from bot.sandbox.errors import SandboxError
from bot.sandbox.fake.records import Message

OPEN_HELP = """\
  open [?lang=de]  open the latest page link shown to you (`/cohort page`, `/mypage`) and print its text"""
PAGE_LINK = re.compile(r"<(http://127\.0\.0\.1:\d+/[cm]/[^>\s]+)>")
_BLOCKS = {"h1": "# ", "h2": "## ", "h3": "### ", "li": "- ", "tr": "", "p": "", "caption": "", "dt": "", "dd": ""}


class _Text(HTMLParser):
    """The visible text, a line per block; table cells joined by ` | `; nothing of <head>, <svg> or <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self._line: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("head", "svg", "title"):
            self._hidden += 1
        elif tag in _BLOCKS:
            self._flush()
            self._line.append(_BLOCKS[tag])
        elif tag in ("td", "th") and self._line and self._line[-1].strip():
            self._line.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "svg", "title"):
            self._hidden -= 1
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._line.append(data)

    def _flush(self) -> None:
        line = re.sub(r"\s+", " ", "".join(self._line)).strip()
        if line and line not in ("#", "##", "###", "-"):
            self.lines.append(line)
        self._line = []


def page_text(html: str) -> str:
    """What a reader sees of a page, as indented lines."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser._flush()
    return "\n".join(f"  {line}" for line in parser.lines)


def latest_page_link(seen: list[tuple[Message, int | None]], person_id: int) -> str:
    """The latest page link in a message the person saw (`seen`: each message with who can see it, None: the
    channel's everyone), their answers, their DMs and the channels alike."""
    for message, owner in reversed(seen):
        if owner in (None, person_id):
            found = PAGE_LINK.search(message.text())
            if found:
                return found[1]
    raise SandboxError("no page link shown to you yet: `/cohort page` or `/mypage` gives one")


async def open_page(url: str) -> str:
    """Fetch `url` and say what it answered: the status, and the page's text."""
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            body = await response.text()
            return f"[{response.status} {url}]\n{page_text(body)}"
    except aiohttp.ClientError as error:
        raise SandboxError(f"could not open {url}: {error}") from None
