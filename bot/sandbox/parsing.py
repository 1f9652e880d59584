"""Reading a typed slash command as Discord's client does: the command path, then options as name:value,
each value converted to what its option takes (a number, a user, a channel, a role)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import SandboxError
from bot.sandbox.fake import Channel, FakeDiscord, Guild, World

BOOLEANS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


@dataclass(frozen=True, slots=True)
class Place:
    """Where the typing happens: the world, the server, its channels by name."""

    world: World
    guild: Guild
    channels: dict[str, Channel]


def parse_line(line: str, commands: list[dict], place: Place) -> tuple[str, dict[str, Any]]:
    """'/cohort create name:spring channel:#study-hall' -> ('cohort create', {name: ..., channel: Channel}),
    read against the registered `commands` as Discord's client reads what a person types."""
    words = line.lstrip("/").split()
    if not words:
        raise SandboxError("a slash command needs a name; `help` shows examples")
    registered = {c["name"]: c for c in commands}
    command = registered.get(words[0])
    if command is None:
        raise SandboxError(f"there is no /{words[0]}; commands: " + ", ".join(f"/{n}" for n in sorted(registered)))
    path, schemas, consumed = [words[0]], command.get("options", []), 1
    while schemas and schemas[0].get("type") in (1, 2):
        if len(words) <= consumed:
            subs = ", ".join(o["name"] for o in schemas)
            raise SandboxError(f"/{' '.join(path)} needs one of: {subs}")
        sub = next((o for o in schemas if o["name"] == words[consumed]), None)
        if sub is None:
            raise SandboxError(
                f"/{' '.join(path)} has no `{words[consumed]}`; it has " + ", ".join(o["name"] for o in schemas)
            )
        path.append(sub["name"])
        schemas, consumed = sub.get("options", []), consumed + 1
    rest = " ".join(words[consumed:])
    by_name = {o["name"]: o for o in schemas}
    values: dict[str, Any] = {}
    if rest:
        names = "|".join(sorted(map(re.escape, by_name), key=len, reverse=True)) or "(?!)"
        marks = list(re.finditer(rf"(?:^|\s)({names}):", rest))
        if not marks or rest[: marks[0].start()].strip():
            raise SandboxError(
                f"expected options as name:value; /{' '.join(path)} takes: " + (", ".join(by_name) or "no options")
            )
        for i, mark in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(rest)
            values[mark[1]] = _convert(place, by_name[mark[1]], rest[mark.end() : end].strip())
    return " ".join(path), values


def _convert(place: Place, schema: dict, raw: str) -> Any:
    kind, name = schema["type"], schema["name"]
    if kind == 4:
        if not re.fullmatch(r"-?\d+", raw):
            raise SandboxError(f"{name}: Discord only accepts a whole number here")
        return int(raw)
    if kind == 10:
        try:
            return float(raw)
        except ValueError:
            raise SandboxError(f"{name}: Discord only accepts a number here") from None
    if kind == 5:
        if raw.lower() not in BOOLEANS:
            raise SandboxError(f"{name}: true or false")
        return BOOLEANS[raw.lower()]
    if kind == 6:
        user = next((u for u in place.world.users.values() if u.name == raw.lstrip("@")), None)
        if user is None:
            raise SandboxError(f"{name}: no user {raw}; `users` lists them, `as NAME` makes one")
        return user
    if kind == 7:
        channel = next((c for c in place.channels.values() if c.name == raw.lstrip("#")), None)
        if channel is None:
            raise SandboxError(f"{name}: no channel {raw}; `channels` lists them")
        return channel
    if kind == 8:
        role = next((r for r in place.guild.roles.values() if r.name == raw.lstrip("@")), None)
        if role is None:
            raise SandboxError(f"{name}: no role {raw}")
        return role
    return raw


def parse_command(fake: FakeDiscord, place: Place, line: str) -> tuple[str, dict[str, Any]]:
    """'/cohort create name:spring channel:#study-hall' -> ('cohort create', {name: ..., channel: Channel}),
    against the commands the bot registered (globally and in `place`'s server)."""
    commands = fake.commands.get(None, []) + fake.commands.get(place.guild.id, [])
    return parse_line(line, commands, place)
