"""What an answer says about a topic's thread (the records are bot.services.cohorts.links; Discord's side,
and what the bot needs there, is bot.discord_side.threads)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ThreadLink:
    """What an answer says about the topic's thread: a link (`thread_id`), or what the bot lacks in
    `channel_id` to open one (`missing`), or nothing."""

    thread_id: int | None = None
    missing: tuple[str, ...] = ()
    channel_id: int | None = None


NO_THREAD = ThreadLink()
