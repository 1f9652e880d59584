"""A stand-in for Discord on loopback: REST under /api/v10, a world of guilds, and a user's client.

It answers the unmodified discord.py client and records what the bot did, so tests see the
bot exactly as Discord would: commands registered, interaction callbacks, follow-ups, posts.
"""

from bot.sandbox.fake.records import Rejection
from bot.sandbox.fake.rules import ClientRefused
from bot.sandbox.fake.server import FakeDiscord
from bot.sandbox.fake.world import Channel, Guild, Role, User, World

__all__ = ["Channel", "ClientRefused", "FakeDiscord", "Guild", "Rejection", "Role", "User", "World"]
