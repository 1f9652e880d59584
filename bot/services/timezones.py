"""IANA timezone names: the canonical ones, and the old names (links) that stand for them.

`zoneinfo.available_timezones()` lists every file of the system's zoneinfo folder, which includes
`localtime`, `Factory`, `posix/...` and `right/...`: not zones a cohort can live in. The tz database's
own compiled source (`tzdata.zi`, shipped by the `tzdata` package) says which names are zones and
which are links to them, so that is what we accept.
"""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources

from bot.i18n import Text
from bot.services.errors import InvalidInput, did_you_mean
from bot.usertext import code

UTC = "UTC"
# In the tz source, but no place's time: Factory is a placeholder zone.
_NOT_PLACES = {"Factory"}


@cache
def _database() -> tuple[frozenset[str], dict[str, str]]:
    """(canonical zone names, link name -> canonical name), UTC among the zones."""
    zones: set[str] = {UTC}
    links: dict[str, str] = {}
    source = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    for line in source.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "Z" and parts[1] not in _NOT_PLACES:
            zones.add(parts[1])
        elif len(parts) == 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    links = {name: target for name, target in links.items() if target in zones and name != UTC}
    return frozenset(zones), links


def canonical_zones() -> list[str]:
    """Every canonical zone name, sorted (for autocomplete)."""
    return sorted(_database()[0])


@cache
def _by_folded_name() -> dict[str, str]:
    """Any case of a zone or link name -> the canonical zone name."""
    zones, links = _database()
    return {name.casefold(): target for name, target in links.items()} | {name.casefold(): name for name in zones}


def parse_timezone(value: str) -> str:
    """A canonical IANA timezone name such as Europe/Berlin. Any case is accepted, and an old name
    (`US/Eastern`, `Asia/Calcutta`) becomes the zone it stands for."""
    text = value.strip()
    known = _by_folded_name().get(text.casefold())
    if known is not None:
        return known
    close = difflib.get_close_matches(text[:64], canonical_zones(), n=3, cutoff=0.6)
    raise InvalidInput(
        Text(
            "`{value}` is not a timezone I know. Use an IANA name such as "
            "`Europe/Berlin`, `America/New_York` or `UTC`.{value2}",
            value=code(text),
            value2=did_you_mean(close),
        )
    )
