"""What the fake's route modules read and change of the fake they serve: its world, its messages, and the
gateway they announce changes on. A Protocol, so that a route module never imports the server that
builds it (bot.sandbox.fake.server)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.sandbox.fake.records import Message
from bot.sandbox.fake.world import Channel, World


class Announces(Protocol):
    """The gateway as the routes use it: an event sent to the shard that owns a guild."""

    async def dispatch(self, event: str, data: dict, *, guild_id: int | None = None, intent: int = 0) -> None: ...


class ThreadRules(Protocol):
    """What posting needs to know of threads: whether one takes posts, and reopening an archived one."""

    def can_post(self, thread: Channel) -> bool: ...

    async def reopen(self, thread: Channel) -> None: ...


class FakeState(Protocol):
    """The fake Discord as its routes see it."""

    world: World
    clock: Callable[[], datetime]
    messages: dict[int, Message]
    channel_posts: list[Message]
    dms: list[Message]
    dm_closed: set[int]
    on_message: Callable[[Message], None] | None
    gateway: Announces
    gateway_url: str
    threads: ThreadRules

    def _new_message(self, channel_id: int | None, data: dict, *, interaction: dict | None = None) -> Message: ...
