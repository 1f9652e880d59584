"""The sandbox's server and the people in it: ids that follow from names, so a kept database
(`studybot sandbox --db`) finds the same server, channels and people in its next session."""

from __future__ import annotations

import hashlib
import re

import discord

from bot.sandbox.admin import real_server
from bot.sandbox.fake import Channel, Guild, User, World
from bot.sandbox.fake.world import reserve_ids
from bot.sandbox.kept import Kept

NAME = re.compile(r"[\w.-]{1,32}")


def user_id_for(name: str) -> int:
    """A snowflake-sized id that depends only on the name (never one the fake hands out itself)."""
    digest = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    return 300_000_000_000_000_000 + digest % 10**17


def build_world() -> tuple[World, Guild, User, dict[str, Channel]]:
    """The sandbox's server, built as real ones are: its owner, a moderator with Manage Server, Manage
    Roles, Manage Events and threads (as a server's moderators' role usually has), an Administrator
    role, a cohort leads' role without permissions, a cosmetic role, #study-hall, #general, a read-only
    #announcements and a moderators-only #mods; the bot's role on top, as the README asks."""
    world = World()
    owner = world.add_user("owner", user_id=user_id_for("owner"))
    guild = world.add_guild(
        "Sandbox Server", owner, guild_id=user_id_for("guild:sandbox"), bot_role_id=user_id_for("role:studybot")
    )
    mod = world.add_user("mod", user_id=user_id_for("mod"))
    moderators = guild.add_role(
        "Moderators",
        discord.Permissions(
            manage_guild=True,
            manage_roles=True,
            manage_events=True,
            create_public_threads=True,
            send_messages_in_threads=True,
        ),
        user_id_for("role:Moderators"),
    )
    guild.roles[user_id_for("role:studybot")].position = 10
    guild.add_member(mod, moderators)
    channels = {name: guild.add_channel(name, user_id_for(f"channel:{name}")) for name in ("study-hall", "general")}
    channels["study-room"] = guild.add_voice_channel("study-room", user_id_for("channel:study-room"))
    channels |= real_server(
        guild, world.bot_user.id, lambda n: user_id_for(f"role:{n}"), lambda n: user_id_for(f"channel:{n}")
    )
    return world, guild, mod, channels


def welcome_back(world: World, guild: Guild, kept: Kept) -> None:
    """Bring back everyone a kept database knows, with their DM channel, and keep every id it holds
    from being handed out again. A person named with `as NAME` before keeps that name; anyone else
    (a database seeded by a script) is `member-N`."""
    reserve_ids(kept.highest_id)
    taken = {user.name for user in world.users.values()}
    for number, person in enumerate(kept.people, start=1):
        user = world.users.get(person.user_id)
        if user is None:
            name = person.display_name or ""
            if not (NAME.fullmatch(name) and user_id_for(name) == person.user_id and name not in taken):
                name = f"member-{number}"
            user = world.add_user(name, user_id=person.user_id)
            taken.add(name)
        if person.user_id not in guild.members:
            guild.add_member(user)
        if person.dm_channel_id is not None:
            world.dm_channel(user, person.dm_channel_id)
