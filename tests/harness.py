"""The bot wired to the loopback fake Discord, in-process: real discord.py, real command tree, real HTTP."""

from __future__ import annotations

import asyncio
import tempfile
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from sqlalchemy import select

from bot.config import Settings
from bot.db.models import Base, SendBudget
from bot.process.runner import prepared_bot
from bot.roadmap import Roadmap, load_catalog
from bot.sandbox.fake import Channel, FakeDiscord, Guild, User, World
from bot.services.clock import FixedClock

if TYPE_CHECKING:
    from bot.process.app import StudyBot

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_ROADMAPS = ROOT / "examples" / "roadmaps"
# The tests' own roadmap (not the shipped roadmap.yaml, which people edit): also every test process's
# ROADMAP_PATH (tests/conftest.py).
TEST_ROADMAP = ROOT / "tests" / "fixtures" / "roadmap.yaml"
# The tests' roadmap as the default, plus the example frontend one cohorts may pick.
CATALOG = load_catalog(TEST_ROADMAP, EXAMPLE_ROADMAPS)
ROADMAP = CATALOG.default


@dataclass
class Harness:
    fake: FakeDiscord
    bot: StudyBot
    stack: AsyncExitStack  # closes the bot and its database
    clock: FixedClock
    guild: Guild
    hall: Channel
    mod: User
    alice: User
    bob: User
    carol: User

    @property
    def roadmap(self) -> Roadmap:
        return self.bot.services.roadmaps.default

    async def run(self, user: User, path: str, /, in_channel: Channel | None = None, **options: object):
        """Invoke a slash command in the harness guild as `user`, a second after the previous one.

        The clock moves on because a person does: two commands typed at the same instant are
        what `fake.invoke` sends when called directly.
        """
        self.clock.set(self.clock.now() + timedelta(seconds=1))
        return await self.fake.invoke(user, self.guild, in_channel or self.hall, path, **options)

    async def confirm(self, user: User, path: str, button: str, /, **options: object):
        """Run a command that asks first, check it changed nothing yet, then press `button` on its question."""
        before = await database_dump(self)
        question = await self.run(user, path, **options)
        assert question.message.ephemeral and button in [b["label"] for b in question.message.buttons], (
            question.message.text()
        )
        assert await database_dump(self) == before, f"/{path} changed data before it was confirmed"
        return await self.fake.click(user, self.guild, question.message, button)

    async def archive(self, name: str = "spring"):
        """/cohort archive, confirmed."""
        answer = await self.confirm(self.mod, "cohort archive", "Archive", cohort=name)
        assert "Archived" in answer.message.text(), answer.message.text()
        return answer

    async def create_cohort(self, name: str = "spring", **options: object):
        defaults: dict[str, object] = {"channel": self.hall, "start_date": "2026-11-02", "timezone": "Europe/Berlin"}
        reply = await self.run(self.mod, "cohort create", name=name, **(defaults | options))
        assert "Created cohort" in reply.message.text(), reply.message.text()
        return reply


async def finish_roadmap(run, user, **options: object) -> None:
    """`/done` until the member has covered every topic (`run` is `Harness.run` or `Live.run`)."""
    for _ in range(100):
        reply = await run(user, "done", **options)
        if "Congratulations" in reply.message.content:
            return
    raise AssertionError("the roadmap never finished")


# Not data: when the bot's next request to Discord may go (bot.process.pacing), which any request moves on.
NOT_DATA = {SendBudget.__tablename__}


async def database_dump(h: Harness) -> dict[str, list[tuple]]:
    """Every row of every table of data: what a refused command must leave exactly as it was."""
    async with h.bot.services.progress._sessions() as session:
        return {
            table.name: sorted((tuple(row) for row in await session.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
            if table.name not in NOT_DATA
        }


MODERATORS = discord.Permissions(
    manage_guild=True, manage_roles=True, manage_events=True, create_public_threads=True, send_messages_in_threads=True
)


PAGE_SECRET = "test-page-secret-" + "x" * 32


async def start_harness(database_url: str, *, now: datetime | None = None, web: bool = True) -> Harness:
    world = World()
    mod = world.add_user("mod")
    guild = world.add_guild("Study Server", owner=world.add_user("owner"))
    # A moderators' role as servers set one up: the server, its roles and events, threads.
    manage = guild.add_role("Moderators", MODERATORS)
    guild.add_member(mod, manage)
    alice, bob, carol = (world.add_user(n) for n in ("alice", "bob", "carol"))
    for user in (alice, bob, carol):
        guild.add_member(user)
    hall = guild.add_channel("study-hall")

    clock = FixedClock(now or datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    fake = FakeDiscord(world, clock=clock.now)
    base_url = await fake.start()
    settings = Settings(
        _env_file=None,  # the environment still counts (COMMAND_GUILD_IDS in a test)
        discord_token="fake-token",
        database_url=database_url,
        discord_api_base_url=base_url,
        delivery_retry_base_seconds=0.01,
        heartbeat_path=Path(tempfile.mkdtemp(prefix="studybot-heartbeat-")) / "heartbeat.json",
        # The web pages on a free loopback port (bot.web), as `studybot run` serves them with WEB_PORT set.
        web_port=0 if web else None,
        page_secret=PAGE_SECRET if web else None,
        public_url="",
        web_host="127.0.0.1",
    )
    bot, stack = await start_bot(settings, fake, clock, guild)
    return Harness(fake, bot, stack, clock, guild, hall, mod, alice, bob, carol)


async def start_bot(
    settings: Settings, fake: FakeDiscord, clock: FixedClock, guild: Guild
) -> tuple[StudyBot, AsyncExitStack]:
    """A bot process's worth of state, built as `studybot run` builds it (bot.process.runner.prepared_bot), logged
    in to the fake; the scheduler ticks only when a test calls it. Closing the stack closes the bot and
    its database."""
    stack = AsyncExitStack()
    bot = await stack.enter_async_context(prepared_bot(settings, CATALOG, clock, start_scheduler=False))
    stack.push_async_callback(bot.close)
    await bot.login("fake-token")  # GET /users/@me, /oauth2/applications/@me, setup_hook, command sync
    # No gateway here: what its GUILD_CREATE would put in the cache (who is in voice too), announced as
    # the gateway announces a server on connecting; interactions and other events handed over directly.
    world = fake.world
    cached = bot._connection._add_guild_from_data(guild.payload(world.users, world.bot_user, voice=True))  # type: ignore[arg-type]
    fake.deliver = bot._connection.parse_interaction_create
    fake.gateway.direct = lambda event, data: feed(bot, event, data)
    bot.dispatch("guild_available", cached)
    await listened(bot, "guild_available")
    return bot, stack


async def feed(bot: StudyBot, event: str, data: dict) -> None:
    """A gateway event as discord.py reads it, returning once the bot's listeners for it have run."""
    getattr(bot._connection, f"parse_{event.lower()}")(data)
    await listened(bot, {"VOICE_STATE_UPDATE": "voice_state_update"}.get(event, event.lower()))


async def listened(bot: StudyBot, event: str) -> None:
    """Wait for discord.py's listener tasks of `event` (it names each `discord.py: on_<event>`)."""
    name = f"discord.py: on_{event}"
    running = [task for task in asyncio.all_tasks() if task.get_name() == name and task is not asyncio.current_task()]
    await asyncio.gather(*running)


async def voice(h: Harness, user: User, channel: Channel | None, *, self_deaf: bool | None = None) -> None:
    """`user` connects to the voice `channel` (or moves there), leaves it (None), or deafens where they are,
    as their Discord client does; the bot has handled it when this returns."""
    await h.fake.voice(user, h.guild, channel, self_deaf=self_deaf)


async def restart(h: Harness) -> None:
    """Stop the bot and start a new one on the same database: nothing in memory survives."""
    await h.stack.aclose()
    h.bot, h.stack = await start_bot(h.bot.settings, h.fake, h.clock, h.guild)


async def stop_harness(h: Harness) -> None:
    """Stop everything; a test fails if Discord would have refused anything the bot sent."""
    await h.stack.aclose()
    await h.fake.stop()
    h.fake.assert_accepted_all()


def staff_channel(h: Harness, name: str = "mods") -> Channel:
    """A moderators' channel, as servers set one up: @everyone cannot see it; the Moderators role and
    the bot read and write there. The bot's cache learns of it as GUILD_CREATE would tell it."""
    moderators = next(r for r in h.guild.roles.values() if r.name == "Moderators")
    channel = h.guild.add_channel(name, only=(moderators.id, h.fake.world.bot_user.id))
    world = h.fake.world
    h.bot._connection._add_guild_from_data(h.guild.payload(world.users, world.bot_user, voice=True))
    return channel


def allow_command(h: Harness, name: str, *ids: int) -> None:
    """What an admin does in Server Settings -> Integrations -> studybot: let these roles or members
    (the server's id: @everyone) use a command whatever its default permissions, so the bot's own
    checks are what stand between them and it."""
    h.guild.command_access.setdefault(name, set()).update(ids)
