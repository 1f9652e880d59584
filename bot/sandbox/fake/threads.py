"""Threads as Discord runs them: opened in a text channel by someone with Create Public Threads there,
read and re-opened through the channel routes, archived after a quiet spell (a test archives one with
`archive`), and announced on the gateway (THREAD_CREATE, THREAD_UPDATE) as Discord announces them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.fake.records import BODY, json_response
from bot.sandbox.fake.world import Channel, snowflake

if TYPE_CHECKING:
    from bot.sandbox.fake.state import FakeState

MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}
UNKNOWN_CHANNEL = {"message": "Unknown Channel", "code": 10003}


class Threads:
    """The thread routes of the fake (`POST /channels/{id}/threads`, `GET` and `PATCH /channels/{id}`)."""

    def __init__(self, fake: FakeState) -> None:
        self._fake = fake

    def _caller(self, request: web.Request) -> int:
        # Every request the fake serves comes from the bot.
        return self._fake.world.bot_user.id

    def in_channel(self, channel_id: int) -> list[Channel]:
        """The threads opened in a channel, oldest first."""
        world = self._fake.world
        return [c for g in world.guilds.values() for c in g.channels.values() if c.parent_id == channel_id]

    async def create(self, request: web.Request) -> web.StreamResponse:
        """Start a thread without a message (Discord's "Start Thread without Message")."""
        fake, body = self._fake, request[BODY] or {}
        parent = fake.world.channel(int(request.match_info["channel"]))
        if parent is None or parent.guild_id is None:
            return json_response(UNKNOWN_CHANNEL, status=404)
        guild = fake.world.guilds[parent.guild_id]
        if parent.type not in (0, 5):
            return json_response({"message": "Cannot execute action on this channel type", "code": 50024}, status=400)
        if body.get("type", 12) != 11:
            return json_response({"message": "studybot opens public threads only (type 11)", "code": 50035}, 400)
        perms = guild.permissions_in(parent, self._caller(request))
        if not (perms.view_channel and perms.create_public_threads):
            return json_response(MISSING_PERMISSIONS, status=403)
        thread = Channel(
            snowflake(),
            body["name"],
            guild.id,
            type=11,
            parent_id=parent.id,
            auto_archive_duration=int(body.get("auto_archive_duration", 4320)),
            owner_id=self._caller(request),
        )
        guild.channels[thread.id] = thread
        await fake.gateway.dispatch("THREAD_CREATE", thread.payload() | {"newly_created": True}, guild_id=guild.id)
        return json_response(thread.payload(), status=201)

    async def get(self, request: web.Request) -> web.StreamResponse:
        """A channel or thread the bot can see."""
        channel = self._fake.world.channel(int(request.match_info["channel"]))
        if channel is None:
            return json_response(UNKNOWN_CHANNEL, status=404)
        return json_response(channel.payload())

    async def edit(self, request: web.Request) -> web.StreamResponse:
        """Change a thread: the fake knows `archived` and `name` (what studybot changes)."""
        fake, body = self._fake, request[BODY] or {}
        thread = fake.world.channel(int(request.match_info["channel"]))
        if thread is None:
            return json_response(UNKNOWN_CHANNEL, status=404)
        if thread.type != 11 or thread.guild_id is None:
            return json_response({"message": "the fake edits threads only", "code": 0}, status=400)
        perms = fake.world.guilds[thread.guild_id].permissions_in(thread, self._caller(request))
        if not (perms.view_channel and perms.send_messages_in_threads):
            return json_response(MISSING_PERMISSIONS, status=403)
        await self._change(thread, body)
        return json_response(thread.payload())

    async def archive(self, thread: Channel) -> None:
        """Archive a thread, as Discord does after `auto_archive_duration` minutes without a message."""
        await self._change(thread, {"archived": True})

    async def reopen(self, thread: Channel) -> None:
        """Un-archive a thread (a message posted in it does this on Discord)."""
        await self._change(thread, {"archived": False})

    async def _change(self, thread: Channel, body: dict[str, Any]) -> None:
        if "archived" in body:
            thread.archived = bool(body["archived"])
        if "name" in body:
            thread.name = body["name"]
        await self._fake.gateway.dispatch("THREAD_UPDATE", thread.payload(), guild_id=thread.guild_id)

    def can_post(self, thread: Channel) -> bool:
        """Whether the bot may post in a thread (Send Messages in Threads, in the thread's channel)."""
        assert thread.guild_id is not None
        guild = self._fake.world.guilds[thread.guild_id]
        return guild.permissions_in(thread, self._fake.world.bot_user.id).send_messages_in_threads
