"""The real bot process (`studybot run`, as the README starts it) against the fake Discord on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import discord

from bot.sandbox.fake import Channel, FakeDiscord, Guild, User, World
from tests.harness import MODERATORS, ROOT, TEST_ROADMAP

STUDYBOT = Path(sys.executable).parent / "studybot"
READY_TIMEOUT = 30.0


# Every `studybot run` a test started and has not seen exit: ended at the latest when the session ends
# (tests/e2e/conftest.py), so a failed test never leaves a bot holding a port.
RUNNING: set[asyncio.subprocess.Process] = set()


def end_leftovers() -> None:
    """Kill whatever `studybot run` is still alive (pytest_sessionfinish)."""
    for proc in list(RUNNING):
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        RUNNING.discard(proc)


@dataclass
class Live:
    fake: FakeDiscord
    guild: Guild
    hall: Channel
    mod: User
    members: list[User]
    env: dict[str, str]
    log_path: Path
    proc: asyncio.subprocess.Process | None = None
    starts: int = 0
    locked: Channel | None = None  # a channel the bot may see but not post in
    other_guild: Guild | None = None
    other_hall: Channel | None = None

    async def start(self, **env: str) -> None:
        """Start `studybot run` and wait until it is ready for commands: identified on the gateway, its
        guilds cached (its heartbeat says ready)."""
        self.fake.gateway.identified.clear()
        self.starts += 1
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("a")
        log.write(f"\n===== start {self.starts} =====\n")
        log.flush()
        self.proc = await asyncio.create_subprocess_exec(
            str(STUDYBOT),
            "run",
            env=self.env | env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
        RUNNING.add(self.proc)
        try:
            stage = "connect"
            await asyncio.wait_for(self.fake.gateway.identified.wait(), READY_TIMEOUT)
            stage = "become ready"
            await asyncio.wait_for(self._beats(lambda beat: beat["ready"]), READY_TIMEOUT)
        except BaseException as error:  # not ready (or the test was cancelled): end it here, not never
            await self.stop()
            if isinstance(error, TimeoutError):
                raise AssertionError(f"the bot did not {stage}; its log:\n{self.log()}") from None
            raise

    async def ticks(self, count: int = 2, timeout: float = 20.0) -> None:
        """Return once the bot's scheduler has finished `count` more ticks (each rewrites the heartbeat
        as it ends): whatever was due has had another chance to be sent, so anything doubled shows."""
        seen: set[str] = set()
        first = self._beat()

        def another(beat: dict) -> bool:
            if beat != first:
                seen.add(beat["at"])
            return len(seen) >= count

        try:
            await asyncio.wait_for(self._beats(another), timeout)
        except TimeoutError:
            raise AssertionError(f"{len(seen)} of {count} ticks in {timeout} s; the log:\n{self.log()}") from None

    async def _beats(self, enough: Callable[[dict], bool]) -> None:
        """Read this process's heartbeat until `enough` says so (the caller bounds the wait)."""
        while True:
            beat = self._beat()
            if beat is not None and enough(beat):
                return
            if self.proc is None or self.proc.returncode is not None:
                raise AssertionError(f"the bot exited; its log:\n{self.log()}")
            await asyncio.sleep(0.02)

    def _beat(self) -> dict | None:
        """This process's last heartbeat (bot.process.health), or None while it has written none."""
        try:
            beat = json.loads(Path(self.env["HEARTBEAT_PATH"]).read_text())
        except (OSError, ValueError):
            return None
        return beat if self.proc is not None and beat.get("pid") == self.proc.pid else None

    def log(self) -> str:
        return self.log_path.read_text()

    async def kill(self) -> None:
        """kill -9: no cleanup of any kind."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        RUNNING.discard(self.proc)

    async def stop(self) -> int:
        """SIGTERM, as a container runtime stops it; returns the exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        RUNNING.discard(self.proc)
        return self.proc.returncode  # type: ignore[return-value]

    def world_and_fake(self) -> tuple[World, FakeDiscord]:
        return self.fake.world, self.fake

    async def run(self, user: User, path: str, /, **options: object):
        return await self.fake.invoke(user, self.guild, self.hall, path, timeout=10.0, **options)


def make_world(members: int) -> tuple[World, Guild, Channel, User, list[User]]:
    world = World()
    mod = world.add_user("mod")
    guild = world.add_guild("Study Server", owner=world.add_user("owner"))
    guild.add_member(mod, guild.add_role("Moderators", MODERATORS))
    hall = guild.add_channel("study-hall")
    users = [world.add_user(f"member{i}") for i in range(members)]
    for user in users:
        guild.add_member(user)
    return world, guild, hall, mod, users


async def live_bot(
    tmp_path: Path, database_url: str, *, members: int = 3, clock_start: datetime | None = None, **env: str
) -> Live:
    world, guild, hall, mod, users = make_world(members)
    locked = guild.add_channel("announcements")
    locked.deny_for(world.bot_user.id, discord.Permissions(send_messages=True))
    other_guild = world.add_guild("Other Server", owner=mod)
    other_hall = other_guild.add_channel("general")
    for user in users:
        other_guild.add_member(user)
    offset = (clock_start - datetime.now(UTC)) if clock_start else None
    fake = FakeDiscord(world, clock=(lambda: datetime.now(UTC) + offset) if offset is not None else None)
    await fake.start()
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "DATABASE_", "CLOCK_", "COMMAND_", "WEB_", "PAGE_", "PUBLIC_URL"))
    }
    live_env = (
        base
        | {
            "DISCORD_TOKEN": "e2e-secret-token",
            "DISCORD_API_BASE_URL": fake.base_url,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "DATABASE_URL": database_url,
            "HEARTBEAT_PATH": str(tmp_path / "heartbeat.json"),
            "ROADMAP_PATH": str(TEST_ROADMAP),
            "SCHEDULER_TICK_SECONDS": "1",
            "DELIVERY_RETRY_BASE_SECONDS": "0.05",
            "LOG_LEVEL": "INFO",
        }
        | ({"CLOCK_START": clock_start.isoformat()} if clock_start else {})
        | env
    )
    return Live(
        fake,
        guild,
        hall,
        mod,
        users,
        live_env,
        tmp_path / "bot.log",
        locked=locked,
        other_guild=other_guild,
        other_hall=other_hall,
    )
