"""Messages as a terminal shows them: embeds with title, fields and footer, buttons, readable mentions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from bot.sandbox.fake import World

EPHEMERAL = 1 << 6
_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")
_CHANNEL = re.compile(r"<#(\d+)>")
_TIME = re.compile(r"<t:(\d+)(?::\w)?>")


def readable(text: str, world: World) -> str:
    """Mentions and timestamps as a person reads them in Discord's client."""

    def user(m: re.Match[str]) -> str:
        found = world.users.get(int(m[1]))
        return f"@{found.name}" if found else m[0]

    def role(m: re.Match[str]) -> str:
        for guild in world.guilds.values():
            if int(m[1]) in guild.roles:
                return f"@{guild.roles[int(m[1])].name}"
        return m[0]

    def channel(m: re.Match[str]) -> str:
        found = world.channel(int(m[1]))
        return f"#{found.name}" if found else m[0]

    def stamp(m: re.Match[str]) -> str:
        return datetime.fromtimestamp(int(m[1]), UTC).strftime("%a %d %b %Y %H:%M UTC")

    for pattern, repl in ((_USER, user), (_ROLE, role), (_CHANNEL, channel), (_TIME, stamp)):
        text = pattern.sub(repl, text)
    return text.replace("**", "")


def attachment_line(attachment: dict, saved: Mapping[str, Path]) -> str:
    """A file of a message, with where the sandbox saved it so it can be opened."""
    where = saved.get(attachment["id"])
    return f"📎 {attachment['filename']} ({attachment['size']} bytes)" + (f" → {where}" if where else "")


def render(payload: dict, world: World, heading: str, saved: Mapping[str, Path] | None = None) -> str:
    """One message, indented under `heading` (who it went to, and whether only they see it); `saved`
    maps attachment ids to the files the sandbox wrote them to."""
    lines = [heading]
    flags = payload.get("flags") or 0
    if payload.get("content"):
        lines += payload["content"].splitlines()
    for embed in payload.get("embeds") or []:
        if embed.get("title"):
            lines.append(f"┌ {embed['title']}")
        for line in (embed.get("description") or "").splitlines():
            lines.append(f"│ {line}")
        for f in embed.get("fields") or []:
            value = f["value"].splitlines()
            if len(value) == 1:
                lines.append(f"│ {f['name']}: {value[0]}")
            else:
                lines.append(f"│ {f['name']}:")
                lines += [f"│   {v}" for v in value]
        image = (embed.get("image") or {}).get("url") or ""
        if image:
            lines.append(f"│ 🖼 {image.removeprefix('attachment://')}")
        if (embed.get("footer") or {}).get("text"):
            lines.append(f"└ {embed['footer']['text']}")
    for attachment in payload.get("attachments") or []:
        lines.append(attachment_line(attachment, saved or {}))
    buttons = [c for row in payload.get("components") or [] for c in row.get("components", [])]
    if buttons:
        lines.append(" ".join(f"[{b.get('label')}]" + (" (disabled)" if b.get("disabled") else "") for b in buttons))
    body = [readable(line, world) for line in lines[1:]]
    marker = " (only you can see this)" if flags & EPHEMERAL else ""
    return "\n".join([lines[0] + marker, *(f"  {line}" for line in body)])
