"""Translations of what people read: English source strings, and a catalog per other language.

`t("You joined **{cohort}**.", cohort=name)` returns the text in the language of the person being
answered. That language lives in a contextvar, set where an interaction starts (from the member's
Discord locale) and around each scheduled message (from the locale stored for that member or
server), so services and renderers need no locale parameter and no Discord import.

The English text is the key. A language's file (`bot/locales/<code>.yaml`) maps each English text
to its translation with the same `{placeholders}`; a missing entry falls back to English, and a
test checks that every `t(...)` in the code has an entry.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from functools import cache
from pathlib import Path

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


@cache
def catalog(language: str) -> dict[str, str]:
    """English text -> translation for one language (empty for English)."""
    if language == ENGLISH:
        return {}
    data = yaml.safe_load((LOCALES_DIR / f"{language}.yaml").read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


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
    return catalog(language or current()).get(text)


def t(text: str, /, **params: object) -> str:
    """`text` in the current language, with `params` filled in."""
    template = translate(text) or text
    return template.format(**params) if params else template


def plural(count: float, one: str, many: str, /, **params: object) -> str:
    """`one` or `many` (each a `t` text with a `{n}` placeholder, `count` unless given) for `count`."""
    return t(one if count == 1 else many, **({"n": count} | params))


def days(value: float) -> str:
    """'1 day', '2.5 days', '3 days' in the current language (one decimal at most)."""
    number = f"{value:.1f}".rstrip("0").rstrip(".")
    return t("{n} day", n=number) if value == 1 else t("{n} days", n=number)
