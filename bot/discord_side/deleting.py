"""Deleting a Discord object the bot made, as every feature does it: gone is gone (deleted now, or by
someone before), a refusal is logged and reported, never raised (what asked for the deletion stands)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import discord

log = logging.getLogger(__name__)


async def deleted(request: Awaitable[object], what: str) -> bool:
    """Await a DELETE request: True when the object is gone, False when Discord refused (logged)."""
    try:
        await request
    except discord.NotFound:
        return True
    except discord.HTTPException as exc:
        log.warning("could not delete %s: %s", what, exc)
        return False
    return True
