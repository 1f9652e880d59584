"""Every distribution the bot and its tests install is pinned in constraints.txt, so CI, the README's
commands and the Docker image install what the suite passed with (issue 15)."""

from __future__ import annotations

from importlib.metadata import distribution

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.harness import ROOT

EXTRAS = ("test", "postgres")


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version
    return pins


def _needed(name: str, extras: tuple[str, ...], seen: set[str]) -> set[str]:
    """`name` and everything it requires here (with `extras`), by canonical name."""
    seen.add(canonicalize_name(name))
    for spec in distribution(name).requires or []:
        requirement = Requirement(spec)
        environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
        if requirement.marker and not any(requirement.marker.evaluate(env) for env in environments):
            continue
        if canonicalize_name(requirement.name) not in seen:
            _needed(requirement.name, tuple(requirement.extras), seen)
    return seen


def test_every_installed_dependency_is_pinned():
    needed = _needed("studybot", EXTRAS, set()) - {"studybot"}
    pins = _pins()
    assert sorted(needed - set(pins)) == [], "add these to constraints.txt (pip freeze --exclude-editable)"
    assert "ruff" in needed and "asyncpg" in needed  # the walk saw the extras
