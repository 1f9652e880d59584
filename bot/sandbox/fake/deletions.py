"""Deleting a message the bot posted, as Discord does it: gone from the channel, 404 once gone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.sandbox.fake.records import json_response

if TYPE_CHECKING:
    from bot.sandbox.fake.state import FakeState


class Deletions:
    """`DELETE /channels/{id}/messages/{id}`; `deleted` keeps what went, in order."""

    def __init__(self, fake: FakeState) -> None:
        self._fake = fake
        self.deleted: list[int] = []

    async def delete(self, request: web.Request) -> web.StreamResponse:
        fake = self._fake
        channel_id, message_id = int(request.match_info["channel"]), int(request.match_info["message"])
        message = fake.messages.get(message_id)
        if message is None or message.payload.get("channel_id") != str(channel_id):
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        del fake.messages[message_id]
        for posts in (fake.channel_posts, fake.dms):
            if message in posts:
                posts.remove(message)
        self.deleted.append(message_id)
        return web.Response(status=204)
