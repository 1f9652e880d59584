"""Reading the numbers back out of a served page, as a person reads them: board rows, members per stage."""

from __future__ import annotations

import html
import re

_BOARD_ROW = re.compile(r'<th scope="row">([^<]*)</th><td data-done="(\d+)"')
_STAGE_ROW = re.compile(r'<th scope="row">([^<]*)</th><td data-members="(\d+)"')


def section(body: str, anchor: str) -> str:
    """The HTML from `id="<anchor>"` to the end of its enclosing div or section."""
    start = body.index(f'id="{anchor}"')
    return body[start : body.index("</table>", start)]


def board(body: str, which: str) -> dict[str, int]:
    """A board's rows, name -> topics done (`which`: this-week or all-time)."""
    return {html.unescape(name): int(done) for name, done in _BOARD_ROW.findall(section(body, which))}


def per_stage(body: str) -> dict[str, int]:
    """Members per stage (and "Finished"), as the page's table lists them."""
    return {html.unescape(label): int(n) for label, n in _STAGE_ROW.findall(body)}
