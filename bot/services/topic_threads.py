"""What an answer says about a topic's thread, and what the bot needs to open one (the records are
bot.services.cohort_links; Discord's side is bot.topic_threads)."""

from __future__ import annotations

from dataclasses import dataclass

# What the bot needs in a cohort's channel for topic threads, as Discord names it and as discord.py does.
THREAD_PERMISSIONS = {
    "View Channel": "view_channel",
    "Create Public Threads": "create_public_threads",
    "Send Messages in Threads": "send_messages_in_threads",
}


@dataclass(frozen=True, slots=True)
class ThreadLink:
    """What an answer says about the topic's thread: a link (`thread_id`), or what the bot lacks in
    `channel_id` to open one (`missing`), or nothing."""

    thread_id: int | None = None
    missing: tuple[str, ...] = ()
    channel_id: int | None = None


NO_THREAD = ThreadLink()
