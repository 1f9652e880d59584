"""Names that look like another: Unicode's default-ignorable code points (they draw nothing, so
`spring` and `spring` + U+034F look the same) and confusable skeletons (UTS #39: `ѕрrіng` in Cyrillic
letters has the skeleton of `spring`).

The confusable pairs are Unicode's confusables.txt as the maintained `confusable_homoglyphs` package
ships it (loaded on first use: only naming a cohort needs it). That package stores each pair both
ways; the skeleton maps every character of a class (a prototype and the characters confusable with
it) to one representative, so two strings have equal skeletons exactly when UTS #39's would be equal.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources

# Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties.txt, stable since Unicode 5.2).
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_EMOJI_STYLE = {"\ufe0e", "\ufe0f"}  # text and emoji presentation selectors


def default_ignorable(char: str) -> bool:
    """Whether `char` is a default-ignorable code point: it draws nothing where it is not understood."""
    point = ord(char)
    return any(low <= point <= high for low, high in _DEFAULT_IGNORABLE)


def ignorables_in(name: str) -> list[str]:
    """The default-ignorable code points of a name, except a presentation selector right after a
    symbol (`❤️` is U+2764 U+FE0F as phones type it: it draws the heart as an emoji)."""
    found = []
    for i, char in enumerate(name):
        if not default_ignorable(char):
            continue
        if char in _EMOJI_STYLE and i > 0 and unicodedata.category(name[i - 1]) == "So":
            continue
        found.append(char)
    return found


@cache
def _representatives() -> dict[str, str]:
    """Each confusable character (or sequence) to its class's representative: the prototype, which is
    the member paired with all others; for a pair, the sequence, else the lowest code point."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    degree: dict[str, int] = {}
    for source, entries in data.items():
        for entry in entries:
            # The package marks right-to-left characters with U+200E around them: not part of the character.
            target = entry["c"].strip("\u200e")
            degree[source] = degree.get(source, 0) + 1
            parent[root(source)] = root(target)
    classes: dict[str, list[str]] = {}
    for node in parent:
        classes.setdefault(root(node), []).append(node)
    chosen: dict[str, str] = {}
    for members in classes.values():
        prototype = max(members, key=lambda m: (degree.get(m, 0), len(m) > 1, -ord(m[0])))
        for member in members:
            if len(member) == 1:
                chosen[member] = prototype
    return chosen


def _mapped(text: str) -> str:
    mapping = _representatives()
    current = unicodedata.normalize("NFD", text)
    for _ in range(4):  # a sequence's own characters may map again; a few rounds reach the fixed point
        mapped = unicodedata.normalize(
            "NFD", "".join(mapping.get(char, char) for char in current if not default_ignorable(char))
        )
        if mapped == current:
            break
        current = mapped
    return current


def skeletons(text: str) -> frozenset[str]:
    """UTS #39's skeleton of `text` as typed and case-folded (cohort names are one name whatever their
    case, and `I` looks like `l` only in capitals): two names look alike when these share one."""
    return frozenset((_mapped(text), _mapped(text.casefold())))


def look_alike(one: str, other: str) -> bool:
    """Whether two names look the same to a reader (by their skeletons)."""
    return not skeletons(one).isdisjoint(skeletons(other))
