"""Voice states in our fake Discord, read by the real discord.py client over the fake gateway: joining,
moving, deafening and leaving arrive as VOICE_STATE_UPDATE, a client that connects later finds who is
in voice in GUILD_CREATE, and a client without the voice states intent gets none of it, as from Discord."""

from __future__ import annotations

import asyncio
import contextlib

import discord
import pytest
import yarl

from bot.sandbox.fake import FakeDiscord, World
from bot.sandbox.fake.errors import CannotConnect


@pytest.fixture
async def fake():
    world = World()
    owner = world.add_user("owner")
    guild = world.add_guild("Study", owner)
    world.alice = world.add_user("alice")  # type: ignore[attr-defined]
    guild.add_member(world.alice)  # type: ignore[attr-defined]
    fake = FakeDiscord(world)
    base = await fake.start()
    before = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    yield fake, guild, world.alice  # type: ignore[attr-defined]
    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = before
    await fake.stop()


@contextlib.asynccontextmanager
async def connected(*, voice: bool):
    """A discord.py client on the fake gateway (with the voice states intent or without), ready, and the
    voice state updates it received."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.voice_states = voice
    client = discord.Client(intents=intents)
    updates: asyncio.Queue = asyncio.Queue()

    @client.event
    async def on_voice_state_update(member, before, after):
        await updates.put((member.id, before.channel, after.channel, after.self_deaf))

    await client.login("fake-token")
    running = asyncio.create_task(client.connect(reconnect=False))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 10)
        yield client, updates
    finally:
        await client.close()
        with contextlib.suppress(Exception):
            await running


async def test_joining_moving_deafening_and_leaving_arrive_as_discord_sends_them(fake):
    fake, guild, alice = fake
    room, other = guild.add_voice_channel("study-room"), guild.add_voice_channel("quiet-room")
    async with connected(voice=True) as (client, updates):
        await fake.voice(alice, guild, room)
        joined = await asyncio.wait_for(updates.get(), 5)
        assert joined[0] == alice.id and joined[1] is None and joined[2].id == room.id and not joined[3]
        await fake.voice(alice, guild, other)
        moved = await asyncio.wait_for(updates.get(), 5)
        assert (moved[1].id, moved[2].id) == (room.id, other.id)
        await fake.voice(alice, guild, None, self_deaf=True)  # deafened where she is
        deafened = await asyncio.wait_for(updates.get(), 5)
        assert deafened[2].id == other.id and deafened[3]
        await fake.voice(alice, guild, None)
        left = await asyncio.wait_for(updates.get(), 5)
        assert left[1].id == other.id and left[2] is None
        assert client.get_guild(guild.id).get_channel(room.id).type is discord.ChannelType.voice


async def test_a_client_that_connects_later_finds_who_is_in_voice(fake):
    fake, guild, alice = fake
    room = guild.add_voice_channel("study-room")
    await fake.voice(alice, guild, room, self_deaf=True)
    async with connected(voice=True) as (client, _):
        member = client.get_guild(guild.id).get_member(alice.id)
        assert member is not None and member.voice.channel.id == room.id and member.voice.self_deaf
        assert [m.id for m in client.get_channel(room.id).members] == [alice.id]


async def test_without_the_intent_no_voice_state_arrives(fake):
    fake, guild, alice = fake
    room = guild.add_voice_channel("study-room")
    await fake.voice(alice, guild, room)
    async with connected(voice=False) as (client, updates):
        assert client.get_guild(guild.id).get_member(alice.id) is None  # not in GUILD_CREATE either
        await fake.voice(alice, guild, None)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(updates.get(), 0.5)


async def test_the_client_connects_only_where_discord_would(fake):
    fake, guild, alice = fake
    text = guild.add_channel("study-hall")
    locked = guild.add_voice_channel("mods-only")
    locked.deny_for(guild.id, discord.Permissions(connect=True), member=False)
    with pytest.raises(CannotConnect, match="not a voice channel"):
        await fake.voice(alice, guild, text)
    with pytest.raises(CannotConnect, match="may not connect"):
        await fake.voice(alice, guild, locked)
    assert guild.voice == {}
    assert await fake.voice(alice, guild, None) is None  # leaving while not connected changes nothing


@pytest.mark.slow
async def test_the_fake_in_its_own_process_moves_members_in_voice_on_request():
    """The benchmarks' fake (`python -m bot.sandbox.fake`) has a voice channel, and members join and
    leave it when asked, as their clients would."""
    import aiohttp

    from bench.common import fake_discord
    from bot.sandbox.fake.__main__ import USER_BASE

    with fake_discord(2, None) as info:
        root = info["base_url"].removesuffix("/api/v10")
        async with aiohttp.ClientSession() as http:
            joined = await http.post(
                f"{root}/_fake/voice", json={"user_id": USER_BASE, "channel_id": info["voice_channel_id"]}
            )
            assert joined.status == 200 and (await joined.json())["channel_id"] == str(info["voice_channel_id"])
            wrong = await http.post(
                f"{root}/_fake/voice", json={"user_id": USER_BASE, "channel_id": info["channel_id"]}
            )
            assert wrong.status == 400 and "not a voice channel" in (await wrong.json())["error"]
            left = await http.post(f"{root}/_fake/voice", json={"user_id": USER_BASE, "channel_id": None})
            assert left.status == 200 and (await left.json())["channel_id"] is None
