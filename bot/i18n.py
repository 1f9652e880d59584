"""Translations of what people read: English source strings, and a catalog per other language.

`t("You joined **{cohort}**.", cohort=name)` returns the text in the language of the person being
answered. That language lives in a contextvar, set where an interaction starts (from the member's
Discord locale) and around each scheduled message (from the locale stored for that member or
server), so services and renderers need no locale parameter and no Discord import.

The English text is the key. A language's file (`bot/locales/<code>.yaml`) maps each English text
to its translation with the same `{placeholders}`; a missing entry falls back to English, and a
test checks that every `t(...)` in the code has an entry.

Counted texts (`plural`) follow the language's CLDR plural rules: the file gives them under
`_plural_rules` (as Babel's CLDR data states them; a test holds them to it), and a counted text maps its
English plural to one template per plural category (`one`, `few`, `many`, `other`...).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cache
from math import ceil
from pathlib import Path
from typing import Any

import yaml

ENGLISH = "en"
LOCALES_DIR = Path(__file__).parent / "locales"
# Discord locale codes we translate to, each with its catalog file; every other locale reads English.
LANGUAGES = {"de": "de"}

_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=ENGLISH)


def language_for(locale: object) -> str:
    """Our language for a Discord locale value ("de", "en-US", a `discord.Locale`...); English if untranslated."""
    code = str(getattr(locale, "value", locale) or "")
    return LANGUAGES.get(code, LANGUAGES.get(code.split("-")[0], ENGLISH))


PLURAL_RULES = "_plural_rules"  # a language file's CLDR plural rules, category -> condition


@cache
def catalog(language: str) -> dict[str, Any]:
    """English text -> translation for one language (empty for English): a string, or for a counted
    text a template per plural category; and the language's plural rules under PLURAL_RULES."""
    if language == ENGLISH:
        return {}
    data = yaml.safe_load((LOCALES_DIR / f"{language}.yaml").read_text(encoding="utf-8")) or {}
    return {
        str(k): ({str(c): str(f) for c, f in v.items()} if isinstance(v, dict) else str(v)) for k, v in data.items()
    }


@cache
def plural_category(language: str) -> Callable[[Decimal], str]:
    """The CLDR plural category of a number in `language` ("one", "few", "many", "other"...)."""
    if language == ENGLISH:  # CLDR's English rule, without loading Babel (3 MB) for it
        return lambda n: "one" if str(n) == "1" else "other"  # "1.0 days" is "other", as in CLDR
    from babel.plural import PluralRule  # only where a translated counted text is shown

    return PluralRule(catalog(language).get(PLURAL_RULES) or {})


def use(locale: object) -> None:
    """Answer in the language of this Discord locale from here on, in the current task."""
    _language.set(language_for(locale))


@contextlib.contextmanager
def using(locale: object) -> Iterator[None]:
    """Answer in this locale's language inside the block (scheduled messages)."""
    token = _language.set(language_for(locale))
    try:
        yield
    finally:
        _language.reset(token)


def current() -> str:
    return _language.get()


def translate(text: str, language: str | None = None) -> str | None:
    """The translation of `text`, or None when there is none (English, or no entry)."""
    found = catalog(language or current()).get(text)
    return found if isinstance(found, str) else None


def t(text: str, /, **params: object) -> str:
    """`text` in the current language, with `params` filled in."""
    template = translate(text) or text
    return template.format(**params) if params else template


class Text:
    """A text worded when it is read, in the language of whoever reads it: its catalog key (the English
    text) and its placeholders' values, which may be Texts too. The domain raises and returns these, so
    it holds keys and values, never words; rendering words them with `str()`."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values: object) -> None:
        self.key = key
        self.values = values

    def __str__(self) -> str:
        return t(self.key, **self.values)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, {self.values!r})"


def plural(count: float | Decimal, one: str, other: str, /, **params: object) -> str:
    """A counted text in the current language: `one` and `other` are its English forms (each with an `{n}`
    placeholder: `count`, or `n` when given as shown); a translation picks its form by the language's CLDR
    rules for `count`, which is the number as shown (`shown`): "1 week" for 1.0, "1.5 days"."""
    language = current()
    amount = Decimal(str(count))
    forms = catalog(language).get(other)
    if isinstance(forms, dict):
        template = forms.get(plural_category(language)(amount)) or forms["other"]
    else:  # English, or not translated yet
        template = one if plural_category(ENGLISH)(amount) == "one" else other
    return template.format(**({"n": count} | params))


def shown(value: float) -> Decimal:
    """`value` as people read it: at most one decimal, none when it is whole (2.0 -> 2, 1.75 -> 1.8)."""
    return Decimal(f"{value:.1f}".rstrip("0").rstrip("."))


def number(value: float) -> str:
    """A number as the current language writes it, one decimal at most: "1.8" in English, "1,8" in
    German (CLDR's symbols, through Babel, loaded only where another language is shown)."""
    language, amount = current(), shown(value)
    if language == ENGLISH:
        return str(amount)
    from babel.numbers import format_decimal

    return format_decimal(amount, format="0.#", locale=language)


def days(value: float) -> str:
    """'1 day', '2.5 days', '3 days' in the current language (one decimal at most)."""
    return plural(shown(value), "{n} day", "{n} days", n=number(value))


def weeks(value: float) -> str:
    """'1 week', '3.5 weeks' in the current language (one decimal at most)."""
    return plural(shown(value), "{n} week", "{n} weeks", n=number(value))


def minutes(value: int) -> str:
    """'1 minute', '85 minutes' in the current language: time studied."""
    return plural(value, "{n} minute", "{n} minutes")


def wait_time(seconds: float) -> str:
    """How long to wait, as people say it: '45 seconds' under two minutes, whole minutes above."""
    whole = max(1, ceil(seconds))
    if whole < 120:
        return plural(whole, "{n} second", "{n} seconds")
    return plural(ceil(whole / 60), "{n} minute", "{n} minutes")


def span_of(seconds: float) -> str:
    """A window of time a limit counts in: 'an hour', '1 minute', '10 minutes'."""
    minutes = int(seconds // 60)
    return t("an hour") if minutes == 60 else plural(minutes, "{n} minute", "{n} minutes")


class Later:
    """A value worded when read, in the reader's language: `words(*args)` (such as `wait_time`)."""

    __slots__ = ("_args", "_words")

    def __init__(self, words: Callable[..., str], *args: object) -> None:
        self._words = words
        self._args = args

    def __str__(self) -> str:
        return self._words(*self._args)


# Discord's names of the permissions the bot asks about (bot.discord_side.access), as its client shows
# them: translated in the catalog like any text, so a German moderator reads what their client says.
PERMISSION_NAMES = (
    "View Channel",
    "Send Messages",
    "Embed Links",
    "Create Public Threads",
    "Send Messages in Threads",
    "Manage Roles",
    "Manage Events",
)


def permission_list(names: tuple[str, ...]) -> str:
    """'**View Channel**, **Send Messages**' in the current language (names from PERMISSION_NAMES)."""
    return ", ".join(f"**{t(name)}**" for name in names)
