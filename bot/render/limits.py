"""Discord's size limits on what a bot sends, as a last guard: a long name list, a big custom roadmap
or many cohorts make a shorter message, never one Discord refuses (the member would see "The
application did not respond"). Renderers fit their lists first; this catches whatever is left.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

import discord

from bot.usertext import ELLIPSIS, clip

CONTENT_MAX = 2000  # a bot's message content
MENTIONS_MAX = 100  # users one message may ping (allowed_mentions.users)
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000  # title, description, field names and values, footer and author together

P = ParamSpec("P")


def clip_lines(text: str, limit: int) -> str:
    """`text` cut at a line break to at most `limit` characters, ending in … when cut."""
    if len(text) <= limit:
        return text
    kept = text[: limit - 2].rsplit("\n", 1)[0] if "\n" in text[: limit - 2] else ""
    return kept + "\n" + ELLIPSIS if kept else clip(text, limit)


def _size(embed: discord.Embed) -> int:
    total = len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "")
    total += len(embed.author.name or "")
    return total + sum(len(f.name or "") + len(f.value or "") for f in embed.fields)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """The embed within Discord's limits: each part cut to its own, then the whole to 6,000 characters
    (the last fields give way first, then the description, then the footer)."""
    if embed.title:
        embed.title = clip(embed.title, TITLE_MAX)
    if embed.description:
        embed.description = clip_lines(embed.description, DESCRIPTION_MAX)
    fields = embed.fields[:FIELDS_MAX]
    embed.clear_fields()
    for field in fields:
        embed.add_field(
            name=clip(field.name or "", FIELD_NAME_MAX) or "\u200b",
            value=clip_lines(field.value or "", FIELD_VALUE_MAX) or "\u200b",
            inline=bool(field.inline),
        )
    if embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER_MAX), icon_url=embed.footer.icon_url)
    while _size(embed) > EMBED_TOTAL_MAX and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    excess = _size(embed) - EMBED_TOTAL_MAX
    if excess > 0 and embed.description:
        embed.description = clip_lines(embed.description, max(len(embed.description) - excess, 1))
    excess = _size(embed) - EMBED_TOTAL_MAX
    if excess > 0 and embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, max(len(embed.footer.text) - excess, 1)))
    return embed


def fitted(build: Callable[P, discord.Embed]) -> Callable[P, discord.Embed]:
    """Decorate an embed builder so what it returns is always within Discord's limits."""

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> discord.Embed:
        return fit_embed(build(*args, **kwargs))

    return wrapper
