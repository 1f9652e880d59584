"""Posts and people on the fake Discord: `POST /channels/{id}/messages` (checked as Discord checks it:
the channel's overwrites for the bot, closed DMs, threads), `GET /guilds/{id}/members/{user}` and
`POST /users/@me/channels` (opening a DM)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.sandbox.fake.records import BODY, json_response

if TYPE_CHECKING:
    from bot.sandbox.fake.state import FakeState


class Posts:
    """The message and member routes of the fake (what studybot calls to post and to DM)."""

    def __init__(self, fake: FakeState) -> None:
        self._fake = fake

    async def member(self, request: web.Request) -> web.Response:
        fake = self._fake
        guild = fake.world.guilds.get(int(request.match_info["guild"]))
        user = fake.world.users.get(int(request.match_info["user"]))
        if guild is None or user is None or user.id not in guild.members:
            return json_response({"message": "Unknown Member", "code": 10007}, status=404)
        return json_response(guild.member_payload(user))

    async def create(self, request: web.Request) -> web.Response:
        fake = self._fake
        channel_id = int(request.match_info["channel"])
        channel = fake.world.channel(channel_id)
        if channel is None:
            return json_response({"message": "Unknown Channel", "code": 10003}, status=404)
        if channel.recipient is not None and channel.recipient.id in fake.dm_closed:
            return json_response({"message": "Cannot send messages to this user", "code": 50007}, status=403)
        if channel.type in (0, 2) and channel.guild_id is not None:
            # Every post checks the channel's overwrites, as Discord does: no view, no access at all (a
            # voice channel's text chat too).
            guild = fake.world.guilds[channel.guild_id]
            allowed = guild.permissions_in(channel, fake.world.bot_user.id)
            if not allowed.view_channel:
                return json_response({"message": "Missing Access", "code": 50001}, status=403)
            if not allowed.send_messages:
                return json_response({"message": "Missing Permissions", "code": 50013}, status=403)
        if channel.type == 11:
            if not fake.threads.can_post(channel):
                return json_response({"message": "Missing Permissions", "code": 50013}, status=403)
            if channel.archived:  # a message re-opens an archived thread that is not locked
                await fake.threads.reopen(channel)
        message = fake._new_message(channel_id, request[BODY] or {})
        (fake.dms if channel.recipient is not None else fake.channel_posts).append(message)
        if fake.on_message is not None:
            fake.on_message(message)
        return json_response(message.payload)

    async def open_dm(self, request: web.Request) -> web.Response:
        fake = self._fake
        user = fake.world.users.get(int((request[BODY] or {})["recipient_id"]))
        if user is None:  # nobody Discord knows: Discord answers so, it does not fail
            return json_response({"message": "Unknown User", "code": 10013}, status=404)
        return json_response(fake.world.dm_channel(user).payload())
