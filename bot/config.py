"""Settings from the environment and `.env`, built once in the CLI and passed down."""

from __future__ import annotations

import ipaddress
import os
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_BASE_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"


ENV_FILE_VARIABLE = "STUDYBOT_ENV_FILE"

Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def ip_networks(spec: str) -> Networks:
    """Comma-separated addresses or networks (`127.0.0.1`, `172.16.0.0/12`); ValueError names the first part
    that is neither."""
    networks = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not an address or network (e.g. 127.0.0.1, 172.16.0.0/12)") from None
    return tuple(networks)


def env_file() -> str | None:
    """The settings file to read: STUDYBOT_ENV_FILE if set (empty: none), else `.env` in the current folder."""
    return os.environ.get(ENV_FILE_VARIABLE, ".env") or None


class Settings(BaseSettings):
    """Every setting of the bot; `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///data/studybot.db"
    roadmap_path: Path = Path("roadmap.yaml")
    # More roadmaps a cohort may pick at creation: every *.yaml here, keyed by file name.
    roadmaps_dir: Path | None = None
    discord_api_base_url: str = DEFAULT_API_BASE_URL
    discord_gateway_url: str = DEFAULT_GATEWAY_URL
    # A str rather than list[int] so pydantic-settings does not demand JSON in the env.
    command_guild_ids: str = ""
    log_level: str = Field(default="INFO")
    log_format: Literal["text", "json"] = "text"
    # Prometheus metrics on METRICS_HOST:METRICS_PORT when a port is given.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    # Cohort web pages (bot.web) on WEB_HOST:WEB_PORT when a port is given; PUBLIC_URL is the address people
    # open (a reverse proxy's), and PAGE_SECRET signs the links (bot.services.pages.links).
    # 0: any free port (the tests'); links then name the port it got unless PUBLIC_URL is set.
    web_port: int | None = Field(default=None, ge=0, le=65535)
    web_host: str = "127.0.0.1"
    public_url: str = ""
    page_secret: SecretStr | None = None
    # Requests a client address may make per minute before it gets 429 (the pages are read-only, but cost queries).
    web_requests_per_minute: int = Field(default=60, ge=1, le=10_000)
    # The reverse proxies whose X-Forwarded-For names the client (comma-separated addresses or networks):
    # requests from anywhere else count against their own address. Docker's bridge is 172.16.0.0/12.
    web_trusted_proxies: str = "127.0.0.1,::1"
    # Scheduler: how late a missed nudge / leaderboard may still be sent after downtime.
    nudge_grace_hours: float = Field(default=6, ge=0)
    # At most a week: a later post would ask for a week whose tallies are gone (bot.services.progress.tallies).
    leaderboard_grace_hours: float = Field(default=24, ge=0, le=168)
    scheduler_tick_seconds: float = Field(default=60, gt=0)
    # Fan-out: parallel sends, and Discord's global request limit per second (50 per bot, all processes
    # together: they share one budget, bot.process.pacing); the bot paces itself 5% below it.
    fanout_concurrency: int = Field(default=16, ge=1, le=200)
    discord_requests_per_second: float = Field(default=50, gt=0)
    # `studybot health` (the container's health check) reads this file; the running bot rewrites it
    # every scheduler tick.
    heartbeat_path: Path = Path("data/heartbeat.json")
    # Scale-out: this process runs the shards SHARD_IDS (comma-separated, default all) of SHARD_COUNT,
    # and schedules nudges and leaderboards only for the guilds of those shards. See docs/scaling.md.
    shard_count: int = Field(default=1, ge=1)
    shard_ids: str = ""
    # Rehearsals and end-to-end tests only: the bot's clock starts at this instant (ISO 8601 with a
    # zone) and runs at normal speed from there. Leave empty in production.
    clock_start: datetime | None = None
    # First retry delay after a transient failure (5xx, timeout); doubled for the next one.
    delivery_retry_base_seconds: float = Field(default=1.0, ge=0)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("command_guild_ids")
    @classmethod
    def _comma_separated_ids(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip() and not part.strip().isdigit():
                raise ValueError(f"COMMAND_GUILD_IDS must be comma-separated server ids, got {part!r}")
        return value

    @field_validator("metrics_port", "web_port", "roadmaps_dir", "clock_start", "page_secret", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # A blank line in .env means "not set"; `ROADMAPS_DIR=` would otherwise be Path(""), the current directory.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("clock_start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("CLOCK_START needs a timezone, e.g. 2026-11-25T08:59:50+00:00")
        return value

    @field_validator("web_trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        try:
            ip_networks(value)
        except ValueError as exc:
            raise ValueError(f"WEB_TRUSTED_PROXIES: {exc}") from None
        return value

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"PUBLIC_URL must start with https:// (or http://), got {value!r}")
        return value

    @model_validator(mode="after")
    def _pages_signed(self) -> Settings:
        # An unsigned or guessable link would publish every cohort: no pages without a real secret.
        if self.web_port is not None:
            secret = self.page_secret.get_secret_value() if self.page_secret else ""
            if len(secret) < 32:
                raise ValueError(
                    "WEB_PORT is set, so PAGE_SECRET must be set too: at least 32 random characters, e.g. the "
                    "output of `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`"
                )
        return self

    @property
    def trusted_proxies(self) -> Networks:
        """WEB_TRUSTED_PROXIES, parsed: the proxies whose X-Forwarded-For names the client."""
        return ip_networks(self.web_trusted_proxies)

    def page_base_url(self, port: int) -> str:
        """Where page links point: PUBLIC_URL, else this process's own address on `port` (the one its server
        got), fine on one machine. An address that means "every interface" is named as localhost."""
        if self.public_url:
            return self.public_url
        host = "localhost" if self.web_host in ("", "0.0.0.0", "::") else self.web_host
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    @model_validator(mode="after")
    def _shards_in_range(self) -> Settings:
        for shard in self.shard_id_list:
            if not 0 <= shard < self.shard_count:
                raise ValueError(
                    f"SHARD_IDS: {shard} is not a shard of SHARD_COUNT={self.shard_count} (0..{self.shard_count - 1})"
                )
        return self

    @property
    def shard_id_list(self) -> list[int]:
        """The shards this process runs (all of them when SHARD_IDS is empty)."""
        ids = [p.strip() for p in self.shard_ids.split(",") if p.strip()]
        if any(not p.isdigit() for p in ids):
            raise ValueError(f"SHARD_IDS must be comma-separated numbers, got {self.shard_ids!r}")
        return [int(p) for p in ids] or list(range(self.shard_count))

    @property
    def guild_ids(self) -> list[int]:
        """The servers to sync commands to at start; empty means sync globally."""
        return [int(p) for p in self.command_guild_ids.split(",") if p.strip()]
