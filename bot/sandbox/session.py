"""The sandbox: the real bot against the loopback Discord in this process, driven by typed lines."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.process.runner import prepared_bot, serve
from bot.roadmap import RoadmapCatalog
from bot.sandbox.admin import ROLE_HELP, admin_line, roles_text, users_text
from bot.sandbox.browse import OPEN_HELP, latest_page_link, open_page
from bot.sandbox.completion import Completion, completions, insertable
from bot.sandbox.errors import SandboxError
from bot.sandbox.fake import FakeDiscord
from bot.sandbox.fake.errors import PersonError
from bot.sandbox.fake.records import Message
from bot.sandbox.fake.rules import ClientRefused
from bot.sandbox.kept import read_kept, save_clock
from bot.sandbox.parsing import Place, parse_command
from bot.sandbox.people import NAME, build_world, user_id_for, welcome_back
from bot.sandbox.text import attachment_line, render
from bot.sandbox.voice import VOICE_HELP, voice_line
from bot.services.clock import MovableClock

HELP = f"""\
Type slash commands as Discord's client shows them, options as name:value (values may contain spaces):
  /cohort create name:spring channel:#study-hall start_date:2026-12-01 timezone:Europe/Berlin
  /join cohort:spring        /progress        /done note:finished the DNS chapter
Sandbox commands:
  as NAME          act as NAME (`as mod` holds @Moderators: Manage Server, Roles, Events; any other
                   name is a plain member, made on first use; `role give` hands them roles)
  click LABEL      press the button labelled LABEL on the latest message that has one
  clock [+1d|+2h|+30m|+1w|ISO-TIME]
                   show or move the bot's clock forward, as if the bot ran all along: every nudge,
                   leaderboard and report that falls due in between is sent at its own moment
  locale CODE      the current user's Discord language (`de` for German, `en-US`); `locale server CODE` the server's
{ROLE_HELP}
{VOICE_HELP}
{OPEN_HELP}
  users, channels  what exists          help   this text          quit   leave (Ctrl-D too)
Tab completes commands, option names, and option values the bot autocompletes."""

REPLY_TIMEOUT = 5.0
MAX_STOPS = 5000  # moments something falls due in one clock jump (a week of a big cohort's nudge times)
_DELTA = re.compile(r"^\+(\d+)([wdhm])$")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


class Sandbox:
    """One sandbox session. `execute` runs a line; output goes through `emit`."""

    def __init__(self, emit: Callable[[str], None], files_dir: Path | None = None) -> None:
        self.emit = emit
        # Where every picture and file the bot sends is written, so a newcomer can open the card and the CSV.
        self.files_dir = files_dir
        self._saved: dict[str, Path] = {}
        self.world, self.guild, self.mod, self.channels = build_world()
        self.clock = MovableClock()
        self.fake = FakeDiscord(self.world, clock=self.clock.now)
        self.fake.on_message = self._arrived
        self.fake.on_attach = self._attached
        self.acting = self.mod
        self.channel = self.channels["study-hall"]
        self.failures = 0
        self._seen: list[tuple[Message, int | None]] = []  # (message, who can see it; None = the channel)
        self._stack = contextlib.AsyncExitStack()
        self.bot: Any = None
        self._kept_db: Path | None = None  # `--db`: where the clock is kept for the next session
        self._floor: datetime | None = None  # where the kept database's last session stopped
        self._happened = False  # a command, click or clock move ran: the start can no longer be set

    # --- lifecycle ---------------------------------------------------------------------

    async def start(
        self, roadmaps: RoadmapCatalog, db: Path | None, roadmap_path: Path, roadmaps_dir: Path | None = None
    ) -> None:
        """Start the fake Discord, then the real bot against it, and wait until it is connected. A kept
        database (`db`) brings back its people and its clock, where its last session stopped."""
        if db is not None:
            kept = read_kept(db)
            welcome_back(self.world, self.guild, kept)
            if kept.clock is not None:
                self.clock.set(kept.clock)
                self._floor = kept.clock
            self._kept_db = db
        await self.fake.start()
        self._stack.push_async_callback(self.fake.stop)
        if db is None:
            folder = self._stack.enter_context(tempfile.TemporaryDirectory(prefix="studybot-sandbox-"))
            db = Path(folder) / "sandbox.db"
        settings = Settings(
            _env_file=None,
            discord_token="sandbox-token",
            database_url=f"sqlite+aiosqlite:///{db}",
            roadmap_path=roadmap_path,
            roadmaps_dir=roadmaps_dir,
            discord_api_base_url=self.fake.base_url,
            discord_gateway_url=self.fake.gateway_url,
            delivery_retry_base_seconds=0.1,
            heartbeat_path=db.parent / "sandbox-heartbeat.json",
            # The web pages on a free loopback port, signed with a secret of this session: `/cohort page`
            # and `/mypage` give links a browser on this machine opens.
            web_port=0,
            web_host="127.0.0.1",
            public_url="",
            page_secret=secrets.token_urlsafe(32),
        )
        self.bot = await self._stack.enter_async_context(prepared_bot(settings, roadmaps, self.clock))
        task = asyncio.ensure_future(serve(self.bot, "sandbox-token"))
        self._stack.push_async_callback(self._stop_bot, task)
        await asyncio.wait_for(self.bot.wait_until_ready(), 30)  # guilds cached: ready for commands
        if self.files_dir is None:  # kept after the session: the files are for opening afterwards
            self.files_dir = Path(tempfile.mkdtemp(prefix="studybot-sandbox-files-"))
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.emit(f"Pictures and files the bot sends are saved in {self.files_dir}")

    async def _stop_bot(self, task: asyncio.Future) -> None:
        await self.bot.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, 10)

    async def aclose(self) -> None:
        if self._kept_db is not None and self.bot is not None:
            save_clock(self._kept_db, self.clock.now())
        await self._stack.aclose()

    # --- what arrives ------------------------------------------------------------------

    def _arrived(self, message: Message) -> None:
        channel = self.world.channel(int(message.payload["channel_id"]))
        self._save(message)
        if channel is not None and channel.recipient is not None:
            self._seen.append((message, channel.recipient.id))
            self.emit(render(message.payload, self.world, f"[DM to @{channel.recipient.name}]", self._saved))
        else:
            self._seen.append((message, None))
            self.emit(render(message.payload, self.world, f"[#{channel.name if channel else '?'}]", self._saved))

    def _show_answer(self, messages: list[Message]) -> None:
        for message in messages:
            self._seen.append((message, self.acting.id))
            self._save(message)
            self.emit(render(message.payload, self.world, f"[reply to @{self.acting.name}]", self._saved))

    def _attached(self, message: Message) -> None:
        """A picture added to a message after its text (the /progress card): say where it is."""
        for attachment in self._save(message):
            self.emit(f"  {attachment_line(attachment, self._saved)}  (added to the message above)")

    def _save(self, message: Message) -> list[dict]:
        """Write the message's files not written yet; returns their attachments."""
        new = [a for a in message.attachments if a["id"] not in self._saved]
        if self.files_dir is None:
            return []
        for attachment in new:
            name = re.sub(r"[^\w.-]", "_", attachment["filename"])
            path = self.files_dir / f"{len(self._saved) + 1:03d}-{name}"
            path.write_bytes(self.fake.files[int(attachment["id"])])
            self._saved[attachment["id"]] = path
        return new

    async def _settle(self) -> None:
        """Wait for what the bot finishes after answering (pictures drawn in a thread), so the
        transcript shows them next to their command."""
        pending = [task for cog in self.bot.cogs.values() for task in getattr(cog, "drawing", ())]
        if pending:
            await asyncio.wait(pending, timeout=REPLY_TIMEOUT)

    async def _voice_heard(self) -> None:
        """Wait until the bot has read the voice change from the gateway and handled it, so the clock
        moved next counts from the moment it happened."""
        wanted = {uid: (s.channel_id, s.self_deaf) for uid, s in self.guild.voice.items()}
        for _ in range(int(REPLY_TIMEOUT / 0.01)):
            cached = self.bot.get_guild(self.guild.id)
            seen = {
                uid: (state.channel.id if state.channel else None, state.self_deaf)
                for channel in (cached.voice_channels if cached else [])
                for uid, state in channel.voice_states.items()
            }
            if seen == wanted:
                break
            await asyncio.sleep(0.01)
        listening = [t for t in asyncio.all_tasks() if t.get_name() == "discord.py: on_voice_state_update"]
        if listening:
            await asyncio.wait(listening, timeout=REPLY_TIMEOUT)

    # --- running a line ----------------------------------------------------------------

    async def execute(self, line: str) -> bool:
        """Run one line; False when it failed or got no answer (counted in `failures`)."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        refused_before = len(self.fake.rejected)
        ok = True
        try:
            await self._execute(line)
        except ClientRefused as error:
            ok = False
            self.emit(f"! Discord's client would not send that: {error}")
        except SandboxError as error:
            ok = False
            self.emit(f"! {error}")
        for rejection in self.fake.rejected[refused_before:]:  # what real Discord would answer with a 400
            ok = False
            self.emit(f"! Discord refused what the bot sent: {rejection}")
        self.failures += not ok
        return ok

    async def _execute(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if line.startswith("/"):
            await self._slash(line)
        elif word == "as":
            self._act_as(rest)
        elif word == "click":
            await self._click(rest)
        elif word == "clock":
            await self._clock(rest)
        elif word == "locale":
            self._locale(rest)
        elif word == "users":
            self.emit(users_text(self.world, self.guild))
        elif word in ("role", "allow"):
            self.emit(admin_line(self.world, self.guild, word, rest))
        elif word == "roles":
            self.emit(roles_text(self.guild))
        elif word == "voice":
            self.emit(await voice_line(self.fake, self.guild, self.acting, self.channels, rest))
            await self._voice_heard()
        elif word == "channels":
            names = (f"{'🔊 ' if c.type == 2 else ''}#{c.name}" for c in self.channels.values())
            self.emit("channels: " + ", ".join(names))
        elif word == "open":
            self.emit(await open_page(latest_page_link(self._seen, self.acting.id) + rest))
        elif word == "help":
            self.emit(HELP)
        else:
            raise SandboxError(f"unknown command `{word}`: slash commands start with /; `help` lists the rest")

    def _locale(self, rest: str) -> None:
        target, _, code = rest.partition(" ")
        if target == "server" and code.strip():
            self.guild.preferred_locale = code.strip()
            self.emit(f"the server's language is now {code.strip()} (cohorts take it at /cohort create and edit)")
        elif rest and " " not in rest:
            self.acting.locale = rest
            self.emit(f"@{self.acting.name} now uses Discord in {rest}")
        else:
            raise SandboxError("use `locale de` (the current user) or `locale server de` (the server)")

    def _act_as(self, name: str) -> None:
        name = name.lstrip("@").strip()
        if not NAME.fullmatch(name):
            raise SandboxError("as NAME: a name of letters, digits, _ . or -")
        user = next((u for u in self.world.users.values() if u.name == name), None)
        if user is None:
            # The id follows from the name, so `--db PATH` finds the same person in the next session.
            user = self.world.add_user(name, user_id=user_id_for(name))
        if user.id not in self.guild.members:
            self.guild.add_member(user)
        self.acting = user
        self.emit(f"now acting as @{name}")

    async def _slash(self, line: str) -> None:
        path, options = parse_command(self.fake, self.place, line)
        self._happened = True
        try:
            record = await self.fake.invoke(
                self.acting, self.guild, self.channel, path, timeout=REPLY_TIMEOUT, **options
            )
        except ClientRefused:
            raise
        except PersonError as error:
            raise SandboxError(str(error)) from None
        self._show_answer(record.messages)
        await self._settle()

    async def _click(self, label: str) -> None:
        for message, owner in reversed(self._seen):
            if owner not in (None, self.acting.id):
                continue
            if any(b.get("label") == label for b in message.buttons):
                break
        else:
            raise SandboxError(f"no message with a [{label}] button for @{self.acting.name}")
        self._happened = True
        in_dm = owner is not None and message.payload.get("interaction_metadata") is None
        try:
            record = await self.fake.click(
                self.acting, None if in_dm else self.guild, message, label, timeout=REPLY_TIMEOUT
            )
        except PersonError as error:
            raise SandboxError(str(error)) from None
        self._show_answer(record.messages)

    async def _clock(self, arg: str) -> None:
        if not arg:
            self.emit(f"🕒 {self.clock.now():%a %d %b %Y %H:%M} UTC")
            return
        match = _DELTA.match(arg)
        if match:
            target = self.clock.now() + timedelta(**{_UNITS[match[2]]: int(match[1])})
        else:
            try:
                target = datetime.fromisoformat(arg)
            except ValueError:
                raise SandboxError("clock takes +1d, +2h, +30m, +1w or an ISO time with a zone") from None
            if target.tzinfo is None:
                raise SandboxError("give the time a zone, e.g. 2026-11-30T08:00:00+01:00")
        if target < self.clock.now():
            self._set_start(target)
        else:
            await self._run_until(target)
        self._happened = True
        if self._kept_db is not None:
            save_clock(self._kept_db, self.clock.now())
        self.emit(f"🕒 {self.clock.now():%a %d %b %Y %H:%M} UTC")

    def _set_start(self, target: datetime) -> None:
        """A script may start the clock at any moment once, before anything happens (so a script reads
        the same on any day), and never before what a kept database already holds."""
        if self._happened:
            raise SandboxError(
                f"the clock only moves forward (it is {self.clock.now():%Y-%m-%d %H:%M} UTC): nudges already "
                "sent cannot be unsent; set the start as the first line, or start a new sandbox to begin earlier"
            )
        if self._floor is not None and target < self._floor:
            raise SandboxError(
                f"this database's last session stopped at {self._floor:%Y-%m-%d %H:%M} UTC: the clock goes on "
                "from there; start a new database to begin earlier"
            )
        self.clock.set(target)

    async def _run_until(self, target: datetime) -> None:
        """Move the clock to `target` as if the bot had been running all along: stop at every moment a
        nudge or weekly post falls due, in order, and send it then (on time, not "missed while down")."""
        for _ in range(MAX_STOPS):
            due = await self._next_due()
            if due is None or due > target:
                break
            if due > self.clock.now():
                self.clock.set(due)
            await self.bot.scheduler.tick()
            after = await self._next_due()
            if after is not None and after <= self.clock.now():
                # Still due at this moment (a send that will be retried): let a minute pass, as ticks would.
                self.clock.set(min(target, self.clock.now() + timedelta(minutes=1)))
                if self.clock.now() >= target:
                    break
        else:
            raise SandboxError(f"more than {MAX_STOPS} things fell due in that jump; move the clock in smaller steps")
        self.clock.set(target)
        await self.bot.scheduler.tick()  # what APScheduler would run at the end: send anything else due

    async def _next_due(self) -> datetime | None:
        """The next moment something falls due: a nudge, a weekly post or a focus timer's bell."""
        services = self.bot.services
        moments = (await services.deliveries.next_due(), await services.focus.next_due())
        return min((moment for moment in moments if moment is not None), default=None)

    @property
    def place(self) -> Place:
        """Where the typing happens, for parsing a line."""
        return Place(self.world, self.guild, self.channels)

    # --- completion ----------------------------------------------------------------------

    async def completions(self, line: str) -> list[Completion]:
        """Everything Tab can offer for `line` (bot.sandbox.completion)."""
        return await completions(self, line)

    async def complete(self, line: str) -> list[str]:
        """What Tab may put on the line: candidates that keep what was typed, or the one choice there is."""
        return insertable(line, await self.completions(line))


def quiet_logs() -> None:
    """The transcript is the sandbox's output: keep library chatter out of it."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    for name in ("discord", "bot", "studybot", "apscheduler", "alembic"):
        logging.getLogger(name).setLevel(logging.ERROR)
