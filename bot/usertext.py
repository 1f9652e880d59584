"""Text people typed: shown safely (cut, escaped) and names made comparable (normalised, visible).

No Discord import: services quote what members typed in their messages, and render shows stored
names, both through these functions. Discord's own rules this follows: markdown is escaped with a
backslash before ASCII punctuation; a backslash before `<` or `@` stops a mention from forming;
inside a code span nothing is parsed, but a backtick ends it.
"""

from __future__ import annotations

import re
import unicodedata

QUOTE_MAX = 100  # how much of a typed value a reply quotes back
ELLIPSIS = "…"
# Letters that draw nothing (fillers), used to make names that look empty or equal to another.
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
_MARKDOWN = re.compile(r"([\\*_~`|<>@#\[\]])")
_MENTION = re.compile(r"@(?=everyone|here|[!&]?\d)")
_CONTROL_OK = {"\n", "\t"}  # allowed in free text such as notes


# Characters that end `<link>`, open a masked link `[text](url)` or format text, percent-encoded in a
# link shown in markdown (a browser encodes them alike, so the link still leads to the same page).
_LINK_MARKUP = {c: f"%{ord(c):02X}" for c in '<>[]()*~|`"{}^\\'}


def safe_link(url: str) -> str:
    """A link as shown in markdown (inside `<…>`, in an embed): whatever could end it or start markup
    percent-encoded after its host (an IPv6 host keeps its brackets), so a link can carry no second,
    hidden link or formatting with it."""
    scheme, sep, rest = url.partition("://")
    host_end = next((i for i, c in enumerate(rest) if c in "/?#"), len(rest)) if sep else 0
    head, tail = (scheme + sep + rest[:host_end], rest[host_end:]) if sep else ("", url)
    return head + tail.translate(str.maketrans(_LINK_MARKUP))


def clip(value: str, limit: int = QUOTE_MAX) -> str:
    """`value` cut to at most `limit` characters, ending in … when cut."""
    return value if len(value) <= limit else value[: limit - 1].rstrip() + ELLIPSIS


def code(value: str, limit: int = QUOTE_MAX) -> str:
    """A typed value to show between backticks: one line, no backtick of its own, cut, and no
    mention in it (a zero-width space after `@`, as discord.utils.escape_mentions does)."""
    flat = " ".join(value.replace("`", "ˋ").split())
    return _MENTION.sub("@\u200b", clip(flat, limit)) or " "


def channel_mention(channel_id: int) -> str:
    """How Discord writes a link to a channel in a message: the one place its syntax is spelled."""
    return f"<#{channel_id}>"


def user_mention(user_id: int | str) -> str:
    """How Discord writes a member in a message."""
    return f"<@{user_id}>"


def role_mention(role_id: int) -> str:
    """How Discord writes a role in a message (it pings nobody unless allowed_mentions says so)."""
    return f"<@&{role_id}>"


def md(value: str, limit: int | None = None) -> str:
    """A name or typed text to show in markdown: cut (when `limit` is given) and escaped, so it
    renders as typed and forms no mention, link, heading or code."""
    text = clip(value, limit) if limit else value
    return _MARKDOWN.sub(r"\\\1", text)


def control_characters(value: str) -> list[str]:
    """The control characters (Unicode Cc) in free text, besides line breaks and tabs."""
    return [c for c in value if unicodedata.category(c) == "Cc" and c not in _CONTROL_OK]


def invisible_characters(value: str) -> list[str]:
    """Characters of a name that draw nothing or change direction: control, format (Cf), unassigned,
    private-use and surrogate code points, line and paragraph separators, and filler letters."""
    return [
        c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp") or c in _BLANK_LETTERS
    ]


def normalize_name(value: str) -> str:
    """A name as stored: NFKC (full-width and other look-alike forms folded), runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def name_key(value: str) -> str:
    """What names are unique by: the normalised name, case-folded (and NFKC again, as casefold can
    undo it), without invisible characters (a name with them is refused; a lookup finds the name)."""
    hidden = set(invisible_characters(value))
    visible = "".join(c for c in value if c not in hidden) if hidden else value
    return unicodedata.normalize("NFKC", normalize_name(visible).casefold())


def describe(chars: list[str]) -> str:
    """Code points as people can look them up: `U+200B, U+202E`."""
    return ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in chars))
