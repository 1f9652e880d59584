"""The discord.py bot: loads the cogs, wires the error handler and syncs the slash commands. Its fan-out
and scheduler are built and attached by the composition root (bot.process.runner.build_bot)."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import TYPE_CHECKING

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot import i18n, logs
from bot.config import Settings
from bot.metrics import Metrics
from bot.process.health import write_heartbeat
from bot.process.pacing import bot_pacer, global_limit_trace, pace_requests
from bot.services import caller
from bot.services.container import Services
from bot.services.pages.links import LinkSigner, PageLinks
from bot.ui.focus import FocusJoinButton
from bot.ui.nudge import NudgeButton
from bot.ui.replies import install_error_handlers

if TYPE_CHECKING:
    from bot.scheduled.fanout import Fanout
    from bot.scheduled.scheduler import Scheduler
    from bot.web.server import PageServer

log = logging.getLogger(__name__)

COGS = (
    "bot.cogs.member",
    "bot.cogs.moderator",
    "bot.cogs.routine",
    "bot.cogs.buddies",
    "bot.cogs.study",
    "bot.cogs.focus",
    "bot.cogs.pages",
)


def apply_endpoints(settings: Settings) -> None:
    """Point discord.py at the configured REST base and gateway (a proxy, or the loopback fake)."""
    discord.http.Route.BASE = settings.discord_api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def bot_intents() -> discord.Intents:
    """Slash commands carry the member in the payload: `guilds` (channels, roles), and `voice_states`
    (not privileged) for study rooms, are all we need."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.voice_states = True
    return intents


class StudyTranslator(app_commands.Translator):
    """Command descriptions, option descriptions and choices in the member's Discord language.

    Names stay English on purpose: `/done` is the same command in every guide, screenshot and
    help message, whatever language the client shows around it.
    """

    _UNTRANSLATED = (
        app_commands.TranslationContextLocation.command_name,
        app_commands.TranslationContextLocation.group_name,
        app_commands.TranslationContextLocation.parameter_name,
    )

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if context.location in self._UNTRANSLATED:
            return None
        language = i18n.language_for(locale)
        return None if language == i18n.ENGLISH else i18n.translate(string.message, language)


class StudyTree(app_commands.CommandTree):
    """Every command starts by naming its guild and command for the logs, its start time for metrics,
    and the member's language for every reply."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        i18n.use(interaction.locale)
        caller.use_name(interaction.user.display_name)
        name = interaction.command.qualified_name if interaction.command else "unknown"
        logs.bind(guild=interaction.guild_id or "dm", command=f"/{name}")
        interaction.extras["started"] = time.perf_counter()
        return True


class StudyBot(commands.AutoShardedBot):
    """The bot. `services` holds the domain; cogs reach it through `bot.services`.

    Always sharded (one shard unless SHARD_COUNT says otherwise), so one process or many run the same
    code; with SHARD_COUNT set, discord.py never asks Discord how many shards to use.
    """

    def __init__(self, settings: Settings, services: Services, *, start_scheduler: bool = True) -> None:
        shards = settings.shard_id_list
        pacer = bot_pacer(services.send_budget, settings.discord_requests_per_second, len(shards), settings.shard_count)
        metrics = Metrics()
        super().__init__(
            shard_count=settings.shard_count,
            shard_ids=shards,
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            help_command=None,
            # Nobody is pinged unless a message names them (the closed-DM notice): names and notes
            # people typed can hold mentions.
            allowed_mentions=discord.AllowedMentions.none(),
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            tree_cls=StudyTree,
            # A global 429 seen here holds back the bot's other processes too (bot.process.pacing).
            http_trace=global_limit_trace(
                pacer, metrics.global_429s.inc, lambda status: metrics.invalid_requests.labels(str(status)).inc()
            ),
        )
        pace_requests(self.http, pacer)
        self.settings = settings
        self._shards_up: set[int] = set()  # shards connected now (ready or resumed, not since disconnected)
        self.metrics = metrics
        self.services = services
        self._start_scheduler = start_scheduler
        self.fanout: Fanout | None = None
        self.scheduler: Scheduler | None = None
        self._closing = False
        self.page_links: PageLinks | None = None  # set once the pages are served (WEB_PORT)
        self.page_server: PageServer | None = None

    def attach(self, fanout: Fanout, scheduler: Scheduler) -> None:
        """Give the bot its fan-out and the scheduler that drives it (they need the bot to exist first)."""
        self.fanout, self.scheduler = fanout, scheduler

    def beat(self) -> None:
        """Record that the scheduler ticks, and whether the gateway is up, for `studybot health`."""
        write_heartbeat(self.settings.heartbeat_path, ready=self.connected)

    @property
    def connected(self) -> bool:
        """Ready, not closing, and every shard of this process on the gateway right now."""
        wanted = set(self.shard_ids if self.shard_ids is not None else range(self.shard_count or 1))
        return self.is_ready() and not self.is_closed() and wanted <= self._shards_up

    def _gateway_changed(self) -> None:
        # Health follows the gateway within seconds, not at the next tick (up to a minute away).
        if self._start_scheduler:
            try:
                self.beat()
            except OSError:
                log.warning("could not write the heartbeat", exc_info=True)

    async def on_shard_ready(self, shard_id: int) -> None:
        self._shards_up.add(shard_id)
        self._gateway_changed()

    async def on_shard_resumed(self, shard_id: int) -> None:
        self._shards_up.add(shard_id)
        self._gateway_changed()

    async def on_shard_disconnect(self, shard_id: int) -> None:
        self._shards_up.discard(shard_id)
        self._gateway_changed()

    async def setup_hook(self) -> None:
        for cog in COGS:
            await self.load_extension(cog)
        install_error_handlers(self.tree, self.record_command)
        # Nudge buttons are matched by their custom id pattern, so they work after a restart.
        self.add_dynamic_items(NudgeButton, FocusJoinButton)
        await self.tree.set_translator(StudyTranslator())
        await self.sync_commands()
        if self.settings.metrics_port:
            self.metrics.serve(self.settings.metrics_port, self.settings.metrics_host)
            log.info("metrics on http://%s:%d/metrics", self.settings.metrics_host, self.settings.metrics_port)
        if self.settings.web_port is not None and self.settings.page_secret is not None:
            await self._serve_pages(self.settings.web_port, LinkSigner(self.settings.page_secret.get_secret_value()))
        if self._start_scheduler and self.scheduler is not None:
            await self.scheduler.start()

    async def _serve_pages(self, port: int, signer: LinkSigner) -> None:
        """Listen for the web pages, then give out links to them (naming the port the server got unless
        PUBLIC_URL is set: WEB_PORT=0 is any free one)."""
        # Imported here: a bot without pages never loads Jinja2 or the aiohttp server.
        from bot.web.server import PageServer, PageSite

        site = PageSite(
            self.services, signer, self.metrics, self.settings.web_requests_per_minute, self.settings.trusted_proxies
        )
        self.page_server = PageServer(site, self.settings.web_host, port)
        await self.page_server.start()
        self.page_links = PageLinks(signer, self.settings.page_base_url(self.page_server.port))
        if not self.settings.public_url and self.settings.web_host not in ("127.0.0.1", "::1", "localhost"):
            log.warning("PUBLIC_URL is not set: page links name %s", self.page_links.base_url)

    async def close(self) -> None:
        """Stop the scheduler (letting in-flight sends finish) before the HTTP session closes."""
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.page_server is not None:
            await self.page_server.stop()
            self.page_server = None
        if not self._closing:
            self._closing = True  # close runs again when a stack unwinds: the moment seen is the first
            try:  # the last moment the bot saw who is in the study rooms: a restart ends no stay earlier
                await self.services.study_rooms.keep_alive()
            except Exception:  # closing goes on whatever the database says
                log.warning("could not record the study rooms' last moment seen", exc_info=True)
        await super().close()
        if self._start_scheduler:
            with contextlib.suppress(OSError):
                write_heartbeat(self.settings.heartbeat_path, ready=False)

    async def sync_commands(self) -> None:
        """Register the slash commands: per guild (instant) when COMMAND_GUILD_IDS is set, else globally."""
        guild_ids = self.settings.guild_ids
        if guild_ids:
            for guild_id in guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to guild %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    def record_command(self, interaction: discord.Interaction, outcome: str) -> None:
        """Count a finished command and log it with its latency (the line carries guild/cohort/command)."""
        name = f"/{interaction.command.qualified_name}" if interaction.command else "unknown"
        started = interaction.extras.get("started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        self.metrics.commands.labels(name, outcome).inc()
        self.metrics.command_seconds.labels(name).observe(seconds)
        log.info("%s by %s: %s in %.1f ms", name, interaction.user.id, outcome, seconds * 1000)

    async def on_app_command_completion(self, interaction: discord.Interaction, _command: object) -> None:
        self.record_command(interaction, "ok")

    async def on_ready(self) -> None:
        log.info("ready as %s in %d guilds", self.user, len(self.guilds))
        self._gateway_changed()
