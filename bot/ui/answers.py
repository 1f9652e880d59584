"""Answers that may take long: work that grows with the cohort (exports, reports, member lists, boards),
and /done, /skip in a rush (a thousand members at once queue at the database). Discord drops an
interaction not acknowledged within 3 s, so one that is not ready in time is deferred (the member sees
"thinking…") and the deferred answer is edited when the work is done. A quick one is answered at once,
with no extra request."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
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


class LateDeferral:
    """`async with LateDeferral(defer) as late:` runs `defer` if the work inside takes longer than
    DEFER_AFTER; `late.deferred` then says it went out. A deferral once begun is never cut off halfway."""

    def __init__(self, defer: Callable[[], Awaitable[None]]) -> None:
        self._defer = defer
        self.deferred = False
        self._timer: asyncio.Future[None] | None = None

    async def _when_late(self) -> None:
        await asyncio.sleep(DEFER_AFTER)
        self.deferred = True
        await self._defer()

    async def __aenter__(self) -> LateDeferral:
        self._timer = asyncio.ensure_future(self._when_late())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._timer is not None
        if not self.deferred:
            self._timer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._timer


async def answer_in_time(interaction: discord.Interaction, work: Awaitable[Reply], *, ephemeral: bool = True) -> None:
    """Answer with what `work` makes; defer first if it is not ready within DEFER_AFTER seconds.

    `work` runs in this task (what it binds for the logs, such as the cohort, stays bound for the
    command's last lines); a timer beside it sends the deferral. A failure of `work` propagates (the
    error handler answers it, replacing the "thinking…")."""

    async def defer() -> None:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        interaction.extras[DEFERRED_OPEN] = "private" if ephemeral else "public"

    async with LateDeferral(defer):
        reply = await work
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
