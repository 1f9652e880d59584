"""The fake's model of Discord: users, guilds with roles, channels and members, as real payloads."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import discord

# Ids carry the moment this process started, as Discord's carry their creation time, so a later
# session (`studybot sandbox --db`) never hands out an id an earlier one gave to something else.
_ids = itertools.count(discord.utils.time_snowflake(datetime.now(UTC)))


def snowflake() -> int:
    """A new id, never handed out before by this process."""
    return next(_ids)


def reserve_ids(above: int) -> None:
    """Hand out only ids above `above` from now on (ids a kept database already holds)."""
    global _ids
    _ids = itertools.count(max(next(_ids), above + 1))


TIMESTAMP = "2026-01-01T00:00:00.000000+00:00"


@dataclass
class User:
    id: int
    name: str
    bot: bool = False
    locale: str = "en-US"  # the language of their Discord client, sent with each interaction

    def payload(self) -> dict:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class Role:
    id: int
    name: str
    permissions: discord.Permissions
    position: int = 1
    bot_id: int | None = None  # a bot's own role (managed: Discord made it when the bot joined)

    @property
    def managed(self) -> bool:
        return self.bot_id is not None

    def payload(self) -> dict:
        payload = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions.value),
            "position": self.position,
            "color": 0,
            "hoist": False,
            "managed": self.managed,
            "mentionable": True,
            "flags": 0,
        }
        if self.bot_id is not None:
            payload["tags"] = {"bot_id": str(self.bot_id)}
        return payload


@dataclass
class Channel:
    id: int
    name: str
    guild_id: int | None
    type: int = 0  # 0 text, 1 DM, 2 voice, 11 public thread
    # Overwrites as Discord sends them: {"id", "type" (0 role, 1 member), "allow", "deny"}.
    overwrites: list[dict] = field(default_factory=list)
    recipient: User | None = None
    parent_id: int | None = None  # a thread's channel
    archived: bool = False  # a thread's state
    auto_archive_duration: int = 10080
    owner_id: int | None = None  # who opened a thread

    def payload(self) -> dict:
        if self.type == 11:
            return {
                "id": str(self.id),
                "type": 11,
                "guild_id": str(self.guild_id),
                "parent_id": str(self.parent_id),
                "owner_id": str(self.owner_id),
                "name": self.name,
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "message_count": 0,
                "member_count": 1,
                "flags": 0,
                "thread_metadata": {
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": TIMESTAMP,
                    "locked": False,
                },
            }
        if self.type == 1:
            assert self.recipient is not None
            return {"id": str(self.id), "type": 1, "recipients": [self.recipient.payload()], "last_message_id": None}
        data = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": 0,
            "permission_overwrites": self.overwrites,
            "nsfw": False,
            "parent_id": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }
        if self.type == 2:  # a voice channel: its own fields, and no topic
            return data | {"bitrate": 64000, "user_limit": 0, "rtc_region": None, "video_quality_mode": 1}
        return data | {"topic": None}

    def deny_for(self, target_id: int, permissions: discord.Permissions, *, member: bool = True) -> None:
        """Add an overwrite that denies `permissions` to a member (or a role)."""
        self.overwrites.append(
            {"id": str(target_id), "type": 1 if member else 0, "allow": "0", "deny": str(permissions.value)}
        )


@dataclass
class VoiceState:
    """Where a member is connected in a server's voice channels, as their client set it."""

    user_id: int
    channel_id: int
    self_deaf: bool = False
    self_mute: bool = False
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def payload(self) -> dict:
        """The voice state object as GUILD_CREATE lists it (VOICE_STATE_UPDATE adds guild_id and member)."""
        return {
            "channel_id": str(self.channel_id),
            "user_id": str(self.user_id),
            "session_id": self.session_id,
            "deaf": False,
            "mute": False,
            "self_deaf": self.self_deaf,
            "self_mute": self.self_mute,
            "self_video": False,
            "suppress": False,
            "request_to_speak_timestamp": None,
        }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, list[int]] = field(default_factory=dict)  # user id -> role ids
    preferred_locale: str = "en-US"  # the server's language (Server Settings -> Community)
    # Server Settings -> Integrations -> the bot -> a command: the roles (or members) an admin allowed
    # to use it whatever its default_member_permissions, by command name.
    command_access: dict[str, set[int]] = field(default_factory=dict)
    voice: dict[int, VoiceState] = field(default_factory=dict)  # user id -> where they are connected
    afk_channel_id: int | None = None  # Server Settings -> Overview -> Inactive Channel

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def add_role(self, name: str, permissions: discord.Permissions, role_id: int | None = None) -> Role:
        role = Role(role_id or snowflake(), name, permissions, position=len(self.roles))
        self.roles[role.id] = role
        return role

    def add_channel(self, name: str, channel_id: int | None = None, *, only: tuple[int, ...] = ()) -> Channel:
        """A text channel; with `only` (role or member ids), one @everyone cannot see and those can read
        and write in, as a moderators' channel is set up."""
        allowed = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
        return self._add(Channel(channel_id or snowflake(), name, self.id), only, allowed)

    def add_voice_channel(self, name: str, channel_id: int | None = None, *, only: tuple[int, ...] = ()) -> Channel:
        """A voice channel everyone may connect to; with `only` (role or member ids), one @everyone cannot
        see and only those can see and connect to."""
        allowed = discord.Permissions(view_channel=True, connect=True)
        return self._add(Channel(channel_id or snowflake(), name, self.id, type=2), only, allowed)

    def _add(self, channel: Channel, only: tuple[int, ...], allowed: discord.Permissions) -> Channel:
        if only:
            hidden = discord.Permissions(view_channel=True)
            channel.overwrites.append({"id": str(self.id), "type": 0, "allow": "0", "deny": str(hidden.value)})
            for target in only:
                kind = 0 if target in self.roles else 1
                channel.overwrites.append({"id": str(target), "type": kind, "allow": str(allowed.value), "deny": "0"})
        self.channels[channel.id] = channel
        return channel

    def add_member(self, user: User, *roles: Role) -> None:
        self.members[user.id] = [r.id for r in roles]

    def permissions_of(self, user_id: int) -> discord.Permissions:
        """Guild-level permissions (roles OR'ed; the owner and administrators have all)."""
        if user_id == self.owner_id:
            return discord.Permissions.all()
        value = self.everyone.permissions.value
        for role_id in self.members.get(user_id, []):
            value |= self.roles[role_id].permissions.value
        perms = discord.Permissions(value)
        return discord.Permissions.all() if perms.administrator else perms

    def permissions_in(self, channel: Channel, user_id: int) -> discord.Permissions:
        """A member's permissions in a channel, as Discord computes them: the server's, then the channel's
        overwrites for @everyone, for the member's roles, and for the member (a thread: its parent's)."""
        base = self.permissions_of(user_id)
        if base.administrator:
            return base
        if channel.parent_id is not None:
            channel = self.channels[channel.parent_id]
        value = base.value
        roles = {str(role_id) for role_id in self.members.get(user_id, [])}
        everyone = [o for o in channel.overwrites if o["type"] == 0 and o["id"] == str(self.id)]
        by_roles = [o for o in channel.overwrites if o["type"] == 0 and o["id"] in roles]
        member = [o for o in channel.overwrites if o["type"] == 1 and o["id"] == str(user_id)]
        for group in (everyone, by_roles, member):
            deny = allow = 0
            for overwrite in group:
                deny |= int(overwrite["deny"])
                allow |= int(overwrite["allow"])
            value = (value & ~deny) | allow
        return discord.Permissions(value)

    def member_payload(self, user: User, *, with_permissions: bool = False) -> dict:
        data = {
            "user": user.payload(),
            "roles": [str(r) for r in self.members[user.id]],
            "joined_at": TIMESTAMP,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
        }
        if with_permissions:
            data["permissions"] = str(self.permissions_of(user.id).value)
        return data

    def payload(self, users: dict[int, User], bot_user: User, *, voice: bool = False) -> dict:
        """A GUILD_CREATE payload as the gateway sends it to a bot without the members intent: the bot's
        own member and, with the voice states intent (`voice`), who is in voice channels and the members
        they are (Discord sends those members without the members intent)."""
        states = list(self.voice.values()) if voice else []
        in_voice = [users[s.user_id] for s in states if s.user_id != bot_user.id and s.user_id in users]
        return {
            "id": str(self.id),
            "name": self.name,
            "owner_id": str(self.owner_id),
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [r.payload() for r in self.roles.values()],
            "channels": [c.payload() for c in self.channels.values()],
            "threads": [],
            "members": [self.member_payload(bot_user)] + [self.member_payload(u) for u in in_voice],
            "voice_states": [state.payload() for state in states],
            "presences": [],
            "member_count": len(self.members),
            "large": False,
            "unavailable": False,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "nsfw_level": 0,
            "afk_channel_id": str(self.afk_channel_id) if self.afk_channel_id else None,
            "afk_timeout": 300,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "joined_at": TIMESTAMP,
        }


class World:
    """Everything the fake Discord knows: the bot, users, guilds, DM channels."""

    def __init__(self) -> None:
        self.application_id = snowflake()
        self.bot_user = User(self.application_id, "studybot", bot=True)
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user}
        self.guilds: dict[int, Guild] = {}
        self.dm_channels: dict[int, Channel] = {}  # user id -> DM channel
        self._dm_by_channel: dict[int, Channel] = {}

    def add_user(self, name: str, user_id: int | None = None) -> User:
        user = User(user_id or snowflake(), name)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, owner: User, guild_id: int | None = None, bot_role_id: int | None = None) -> Guild:
        guild_id = guild_id or snowflake()
        guild = Guild(guild_id, name, owner.id)
        guild.roles[guild_id] = Role(
            guild_id, "@everyone", discord.Permissions.general() | discord.Permissions.text(), 0
        )
        # The bot's managed role: the permissions the invite asks for.
        bot_role = guild.add_role(
            "studybot",
            discord.Permissions(
                send_messages=True,
                embed_links=True,
                view_channel=True,
                read_message_history=True,
                create_public_threads=True,
                send_messages_in_threads=True,
                manage_roles=True,
                manage_events=True,
            ),
            bot_role_id,
        )
        guild.roles[guild_id].permissions = discord.Permissions(
            view_channel=True,
            send_messages=True,
            read_message_history=True,
            use_application_commands=True,
            connect=True,
            speak=True,
        )
        bot_role.bot_id = self.bot_user.id
        guild.add_member(self.bot_user, bot_role)
        guild.add_member(owner)
        self.guilds[guild.id] = guild
        return guild

    def channel(self, channel_id: int) -> Channel | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        return self._dm_by_channel.get(channel_id)

    def dm_channel(self, user: User, channel_id: int | None = None) -> Channel:
        """The user's DM channel with the bot, opened on first use."""
        if user.id not in self.dm_channels:
            channel = Channel(channel_id or snowflake(), f"dm-{user.name}", None, type=1, recipient=user)
            self.dm_channels[user.id] = channel
            self._dm_by_channel[channel.id] = channel
        return self.dm_channels[user.id]
