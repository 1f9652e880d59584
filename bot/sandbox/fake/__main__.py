"""Run the fake Discord as its own process (for benchmarks): `python -m bot.sandbox.fake --help`.

The world is deterministic so the other side can generate matching data: user i has id
USER_BASE + i and DM channel DM_BASE + i, all members of one guild with a text channel and a voice
channel (their ids are printed at start). GET /_fake/stats reports what was received; POST /_fake/voice
with {"user_id", "channel_id" (null: leave), "self_deaf"} does what that member's client would.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json

from aiohttp import web

from bot.sandbox.fake.errors import CannotConnect
from bot.sandbox.fake.server import FakeDiscord
from bot.sandbox.fake.world import World

USER_BASE = 300_000_000_000_000_000
DM_BASE = 400_000_000_000_000_000


def build_world(users: int) -> tuple[World, int, int]:
    world = World()
    owner = world.add_user("owner")
    guild = world.add_guild("Bench", owner)
    channel = guild.add_channel("study-hall")
    guild.add_voice_channel("study-room")
    for i in range(users):
        user = world.add_user(f"user{i}", USER_BASE + i)
        guild.add_member(user)
        world.dm_channel(user, DM_BASE + i)
    return world, guild.id, channel.id


async def serve(args: argparse.Namespace) -> None:
    world, guild_id, channel_id = build_world(args.users)
    fake = FakeDiscord(world)
    fake.global_limit.per_second = args.rate
    times: list[float] = []
    fake.on_message = lambda _m: times.append(asyncio.get_running_loop().time())  # type: ignore[attr-defined]

    async def stats(_request: web.Request) -> web.Response:
        per_channel = collections.Counter(m.payload["channel_id"] for m in fake.dms)
        return web.json_response(
            {
                "dm_messages": len(fake.dms),
                "recipients": len(per_channel),
                "duplicates": sum(n - 1 for n in per_channel.values() if n > 1),
                "requests": len(fake.requests),
                "rate_limited": fake.global_limit.refused,
                "refused_by_discord_rules": len(fake.rejected),
                "first_message_at": times[0] if times else None,
                "last_message_at": times[-1] if times else None,
                "guild_id": guild_id,
                "channel_id": channel_id,
            }
        )

    async def voice(request: web.Request) -> web.Response:
        body = await request.json()
        guild = world.guilds[guild_id]
        channel = guild.channels.get(int(body["channel_id"])) if body.get("channel_id") else None
        try:
            state = await fake.voice(world.users[int(body["user_id"])], guild, channel, self_deaf=body.get("self_deaf"))
        except (KeyError, CannotConnect) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"channel_id": str(state.channel_id) if state else None})

    fake.extra_routes = [web.get("/_fake/stats", stats), web.post("/_fake/voice", voice)]  # type: ignore[attr-defined]
    await fake.start(port=args.port)
    room = next(c.id for c in world.guilds[guild_id].channels.values() if c.type == 2)
    started = {"base_url": fake.base_url, "guild_id": guild_id, "channel_id": channel_id, "voice_channel_id": room}
    print(json.dumps(started), flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--users", type=int, default=0)
    parser.add_argument("--rate", type=float, default=None, help="global requests per second (default: none)")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
