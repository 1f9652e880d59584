"""The person's side of the fake Discord: a member's client that types slash commands, fills in
autocomplete and presses buttons, as Discord's client sends them, and waits for the bot's answer.
A mixin of FakeDiscord, whose state it reads (the world, the registered commands, the gateway)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.sandbox.fake import rules
from bot.sandbox.fake.errors import CannotConnect, CommandHidden, NoSuchButton, NoSuchCommand, NotAnswered, NotSendable
from bot.sandbox.fake.gateway import GUILD_VOICE_STATES
from bot.sandbox.fake.records import InteractionRecord, Message, Rejection
from bot.sandbox.fake.world import Channel, Guild, User, VoiceState, World

if TYPE_CHECKING:
    from bot.sandbox.fake.gateway import Gateway

Deliver = Callable[[dict], Awaitable[None] | None]


class People:
    """`invoke`, `autocomplete`, `click` and `voice`: what a member does in Discord's client."""

    world: World
    clock: Callable[[], datetime]
    commands: dict[int | None, list[dict]]
    interactions: dict[int, InteractionRecord]
    rejected: list[Rejection]
    deliver: Deliver | None
    gateway: Gateway
    _by_token: dict[str, InteractionRecord]
    _sequence: itertools.count

    async def voice(
        self, user: User, guild: Guild, channel: Channel | None, *, self_deaf: bool | None = None
    ) -> VoiceState | None:
        """Connect `user` to the voice `channel` (or move them there), disconnect them (None), or deafen
        or undeafen them where they are (`self_deaf`), as their client does; Discord announces each change
        with VOICE_STATE_UPDATE to bots with the voice states intent. Their voice state after it."""
        now = guild.voice.get(user.id)
        if channel is not None:
            if channel.guild_id != guild.id or channel.type != 2:
                raise CannotConnect(f"#{channel.name} is not a voice channel of {guild.name}")
            if user.id not in guild.members:
                raise CannotConnect(f"@{user.name} is not a member of {guild.name}")
            allowed = guild.permissions_in(channel, user.id)
            if not (allowed.view_channel and allowed.connect):
                raise CannotConnect(f"@{user.name} may not connect to #{channel.name}")
            deaf = self_deaf if self_deaf is not None else (now.self_deaf if now else False)
            moved = VoiceState(user.id, channel.id, deaf, now.self_mute if now else False)
            if now is not None:
                moved.session_id = now.session_id
            guild.voice[user.id] = moved
            data = moved.payload()
        elif now is None:
            return None  # not connected: nothing changes, so Discord announces nothing
        elif self_deaf is not None:
            now.self_deaf = self_deaf
            data = now.payload()
        else:
            del guild.voice[user.id]
            data = now.payload() | {"channel_id": None}
        data |= {"guild_id": str(guild.id), "member": guild.member_payload(user)}
        await self.gateway.dispatch("VOICE_STATE_UPDATE", data, guild_id=guild.id, intent=GUILD_VOICE_STATES)
        return guild.voice.get(user.id)

    def command_schema(self, guild: Guild, path: str) -> tuple[dict, list[str], list[dict]]:
        """(top-level command, subcommand names, option schemas) for a '/cohort create'-style path."""
        names = path.lstrip("/").split()
        registered = self.commands.get(guild.id, []) + self.commands.get(None, [])
        command = next((c for c in registered if c["name"] == names[0] and c.get("type", 1) == 1), None)
        if command is None:
            raise NoSuchCommand(f"the bot registered no command /{names[0]}")
        options = command.get("options", [])
        for sub in names[1:]:
            match = next((o for o in options if o["name"] == sub and o["type"] in (1, 2)), None)
            if match is None:
                raise NoSuchCommand(f"/{path.lstrip('/')}: no subcommand {sub!r}")
            options = match.get("options", [])
        return command, names[1:], options

    def _build_options(
        self,
        guild: Guild,
        schemas: list[dict],
        values: dict[str, Any],
        focused: str | None,
        unchecked: bool = False,
    ) -> tuple[list[dict], dict]:
        resolved: dict[str, dict] = {}
        built = []
        by_name = {s["name"]: s for s in schemas}
        for name, value in values.items():
            if name not in by_name:
                raise NotSendable(f"the command has no option {name!r} (has {sorted(by_name)})")
            kind = by_name[name]["type"]
            option: dict[str, Any] = {"name": name, "type": kind}
            if kind == 6:  # user
                user = value if isinstance(value, User) else self.world.users[int(value)]
                option["value"] = str(user.id)
                resolved.setdefault("users", {})[str(user.id)] = user.payload()
                if user.id in guild.members:
                    member = guild.member_payload(user, with_permissions=True)
                    member.pop("user")
                    resolved.setdefault("members", {})[str(user.id)] = member
            elif kind == 7:  # channel
                channel = value if isinstance(value, Channel) else self.world.channel(int(value))
                assert channel is not None
                kinds = by_name[name].get("channel_types")
                if kinds and channel.type not in kinds:  # Discord's picker lists only these channel types
                    raise NotSendable(
                        f"option {name!r} takes channels of types {kinds}, not #{channel.name} ({channel.type})"
                    )
                option["value"] = str(channel.id)
                resolved.setdefault("channels", {})[str(channel.id)] = {
                    "id": str(channel.id),
                    "name": channel.name,
                    "type": channel.type,
                    "permissions": str(guild.permissions_of(0).value),
                    "guild_id": str(guild.id),
                }
            elif kind == 8:  # role
                role = value
                option["value"] = str(role.id)
                resolved.setdefault("roles", {})[str(role.id)] = role.payload()
            else:
                if not unchecked:
                    rules.check_option_value(by_name[name], value, typing=name == focused)
                option["value"] = value
            if name == focused:
                option["focused"] = True
            built.append(option)
        for schema in schemas:
            if schema.get("required") and schema["name"] not in values and focused is None:
                raise NotSendable(f"missing required option {schema['name']!r}")
        return built, resolved

    def _interaction(
        self,
        kind: int,
        user: User,
        guild: Guild | None,
        channel: Channel | None,
        data: dict,
        message: Message | None = None,
    ) -> InteractionRecord:
        interaction_id = discord.utils.time_snowflake(self.clock()) + next(self._sequence) % (1 << 22)
        token = f"token-{interaction_id}"
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.world.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "locale": user.locale,
            "entitlements": [],
            "attachment_size_limit": 8 * 1024 * 1024,
            "authorizing_integration_owners": {"0": str(guild.id)} if guild else {"1": str(user.id)},
            "context": 0 if guild else 1,
            "app_permissions": str(guild.permissions_of(self.world.bot_user.id).value) if guild else "0",
        }
        if guild is not None:
            assert channel is not None
            payload["guild_id"] = str(guild.id)
            payload["guild_locale"] = guild.preferred_locale
            payload["channel_id"] = str(channel.id)
            payload["channel"] = channel.payload()
            payload["member"] = guild.member_payload(user, with_permissions=True)
        else:
            dm = channel or self.world.dm_channel(user)
            payload["channel_id"] = str(dm.id)
            payload["channel"] = dm.payload()
            payload["user"] = user.payload()
        if message is not None:
            payload["message"] = message.payload
        record = InteractionRecord(payload)
        self.interactions[interaction_id] = record
        self._by_token[token] = record
        return record

    async def _send(self, record: InteractionRecord, timeout: float) -> InteractionRecord:
        record.sent_at = asyncio.get_running_loop().time()
        if self.deliver is not None:  # a bot in this process, fed directly
            result = self.deliver(record.payload)
            if asyncio.iscoroutine(result):
                await result
        else:  # a bot connected to the gateway, as Discord does it
            guild_id = record.payload.get("guild_id")
            await self.gateway.dispatch(
                "INTERACTION_CREATE", record.payload, guild_id=int(guild_id) if guild_id else None
            )
        try:
            await asyncio.wait_for(record.answered.wait(), timeout)
        except TimeoutError:
            refused = [str(r) for r in self.rejected if record.payload["token"] in r.path or str(record.id) in r.path]
            raise NotAnswered(
                f"the bot did not answer interaction {record.payload['data'].get('name') or record.payload['data']}"
                f" within {timeout}s (Discord shows 'The application did not respond')"
                + (f"; Discord refused its answer: {refused}" if refused else "")
            ) from None
        return record

    def _check_offered(self, user: User, guild: Guild | None, command: dict) -> None:
        """CommandHidden when Discord would not offer the command to `user` in `guild`: they lack its
        `default_member_permissions` (all of them; Administrator and the owner have every one) and no
        admin allowed them or a role of theirs to use it (Server Settings -> Integrations)."""
        required = int(command.get("default_member_permissions") or 0)
        if guild is None or not required:
            return
        if guild.permissions_of(user.id).value & required == required:
            return
        allowed = guild.command_access.get(command["name"], set())
        # @everyone's id is the server's: an admin who allowed it opened the command to every member.
        if guild.id in allowed or user.id in allowed or allowed & set(guild.members.get(user.id, [])):
            return
        raise CommandHidden(
            f"Discord does not offer /{command['name']} to {user.name}: it needs permissions "
            f"{discord.Permissions(required)} and no admin allowed them or their roles to use it"
        )

    async def invoke(
        self,
        user: User,
        guild: Guild | None,
        channel: Channel | None,
        path: str,
        /,
        timeout: float = 3.0,
        unchecked: bool = False,
        **options: Any,
    ) -> InteractionRecord:
        """Type a slash command the way Discord's client sends it, and wait for the bot's answer.

        The client refuses (`ClientRefused`) a value the command's declaration rules out, as Discord's
        does; `unchecked=True` sends it anyway, as a modified client or a changed declaration would."""
        schema_guild = guild or next(iter(self.world.guilds.values()))
        command, subs, schemas = self.command_schema(schema_guild, path)
        self._check_offered(user, guild, command)
        values = {k: v for k, v in options.items() if v is not None}
        built, resolved = self._build_options(schema_guild, schemas, values, focused=None, unchecked=unchecked)
        record = self._interaction(2, user, guild, channel, self._command_data(command, subs, built, resolved))
        return await self._send(record, timeout)

    async def autocomplete(
        self,
        user: User,
        guild: Guild,
        channel: Channel,
        path: str,
        /,
        focused: str,
        timeout: float = 3.0,
        unchecked: bool = False,
        **options: Any,
    ) -> list[dict]:
        """Type into an option that autocompletes; returns the choices the bot offered."""
        command, subs, schemas = self.command_schema(guild, path)
        self._check_offered(user, guild, command)
        values = {k: v for k, v in options.items() if v is not None}
        values.setdefault(focused, "")
        built, resolved = self._build_options(guild, schemas, values, focused=focused, unchecked=unchecked)
        record = self._interaction(4, user, guild, channel, self._command_data(command, subs, built, resolved))
        return (await self._send(record, timeout)).choices

    @staticmethod
    def _command_data(command: dict, subs: list[str], built: list[dict], resolved: dict) -> dict:
        options = built
        for sub in reversed(subs):
            options = [{"name": sub, "type": 1, "options": options}]
        data = {"id": command["id"], "name": command["name"], "type": 1, "options": options}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    async def click(
        self, user: User, guild: Guild | None, message: Message, label: str, timeout: float = 3.0
    ) -> InteractionRecord:
        """Press the button labelled `label` on `message`."""
        button = next((b for b in message.buttons if b.get("label") == label), None)
        if button is None:
            raise NoSuchButton(
                f"no button {label!r} on the message; buttons: {[b.get('label') for b in message.buttons]}"
            )
        channel_id = message.payload.get("channel_id")
        channel = self.world.channel(int(channel_id)) if channel_id else None
        data = {"custom_id": button["custom_id"], "component_type": 2}
        record = self._interaction(3, user, guild, channel, data, message=message)
        return await self._send(record, timeout)
