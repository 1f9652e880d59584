"""Answers that may take long: work that grows with the cohort (exports, reports, member lists, boards),
and /done, /skip in a rush (a thousand members at once queue at the database). Discord drops an
interaction not acknowledged within 3 s, so one that is not ready in time is deferred (the member sees
"thinking…") and the deferred answer is edited when the work is done. A quick one is answered at once,
with no extra request."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import discord

# Well inside Discord's 3 s, leaving time for the deferral itself to go out from a busy event loop
# (measured with 1,000 /done at once: acknowledged p99 2.1 s when deferring after 1.5 s, 1.5-1.8 s after 1.0 s).
DEFER_AFTER = 1.0
# interaction.extras key: a deferral whose "thinking…" the next answer (or error) must replace; the
# value says whether it was private.
DEFERRED_OPEN = "studybot.deferred_open"


@dataclass(frozen=True, slots=True)
class Reply:
    """What a command answers with."""

    content: str | None = None
    embed: discord.Embed | None = None
    file: discord.File | None = None
    view: discord.ui.View | None = None
    # None: as the command deferred (`ephemeral`). True or False: private or public as the work found
    # (a hidden member's progress is private whatever was asked; a /done is news unless hidden).
    private: bool | None = None


async def answer_in_time(interaction: discord.Interaction, work: Awaitable[Reply], *, ephemeral: bool = True) -> None:
    """Answer with what `work` makes; defer first if it is not ready within DEFER_AFTER seconds.

    `work` runs in this task (what it binds for the logs, such as the cohort, stays bound for the
    command's last lines); a timer beside it sends the deferral. A failure of `work` propagates (the
    error handler answers it, replacing the "thinking…")."""
    deferring = False

    async def defer_when_late() -> None:
        nonlocal deferring
        await asyncio.sleep(DEFER_AFTER)
        deferring = True  # from here the deferral is on its way: never cut it off halfway
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        interaction.extras[DEFERRED_OPEN] = "private" if ephemeral else "public"

    timer = asyncio.ensure_future(defer_when_late())
    try:
        reply = await work
    finally:
        if not deferring:
            timer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await timer
    private = ephemeral if reply.private is None else reply.private
    deferred = interaction.extras.pop(DEFERRED_OPEN, None)
    if deferred:
        await answer_deferral(interaction, deferred, reply, private=private)
    else:
        await interaction.response.send_message(**_message(reply), ephemeral=private)


async def answer_deferral(interaction: discord.Interaction, deferred: str, reply: Reply, *, private: bool) -> None:
    """Replace the "thinking…" of a deferral (`deferred`: "private" or "public") with `reply`, as private
    as `private` says: the deferred message is edited when that fits, else it goes and `reply` comes as
    a message of its own (a hidden member's answer after a public deferral, /done's news after a private one)."""
    if (deferred == "private") == private:
        edit: dict[str, Any] = {"content": reply.content, "embed": reply.embed}
        if reply.file is not None:
            edit["attachments"] = [reply.file]
        if reply.view is not None:
            edit["view"] = reply.view
        await interaction.edit_original_response(**edit)
    else:
        await interaction.delete_original_response()
        await interaction.followup.send(**_message(reply), ephemeral=private)


def _message(reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"content": reply.content} if reply.content else {}
    for key in ("embed", "file", "view"):
        if getattr(reply, key) is not None:
            message[key] = getattr(reply, key)
    return message
