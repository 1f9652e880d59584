"""`voice`: what the acting member does in the server's voice channels, through their client (the fake
Discord announces it on the gateway, as Discord does)."""

from __future__ import annotations

from bot.sandbox.errors import SandboxError
from bot.sandbox.fake import Channel, FakeDiscord, Guild, User
from bot.sandbox.fake.errors import CannotConnect

VOICE_HELP = """\
  voice #CHANNEL   join (or move to) a voice channel as the current user; `voice leave` disconnects,
                   `voice deaf` and `voice undeaf` deafen or undeafen them where they are"""


async def voice_line(fake: FakeDiscord, guild: Guild, user: User, channels: dict[str, Channel], rest: str) -> str:
    """Do what `voice ...` asks and say what happened, as a line of the transcript."""
    word = rest.strip()
    where = guild.voice.get(user.id)
    try:
        if word == "leave":
            if where is None:
                return f"@{user.name} is not in a voice channel"
            await fake.voice(user, guild, None)
            return f"@{user.name} left 🔊 {guild.channels[where.channel_id].name}"
        if word in ("deaf", "undeaf"):
            if where is None:
                raise SandboxError(f"@{user.name} is not in a voice channel: `voice #CHANNEL` first")
            await fake.voice(user, guild, None, self_deaf=word == "deaf")
            state = "deafened" if word == "deaf" else "undeafened"
            return f"@{user.name} {state} themselves in 🔊 {guild.channels[where.channel_id].name}"
        channel = channels.get(word.lstrip("#"))
        if channel is None:
            voice = ", ".join(f"#{c.name}" for c in channels.values() if c.type == 2) or "none"
            raise SandboxError(f"voice #CHANNEL, leave, deaf or undeaf (voice channels: {voice})")
        await fake.voice(user, guild, channel)
    except CannotConnect as error:
        raise SandboxError(str(error)) from None
    verb = "moved to" if where is not None else "joined"
    return f"@{user.name} {verb} 🔊 {channel.name}"
