"""Logging set-up: text or JSON lines, each carrying the guild, cohort and command it happened in.

The context lives in contextvars, so whatever runs inside a command's task (cog, services, database)
logs with that command's guild and cohort without passing them around."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime

_guild: contextvars.ContextVar[str] = contextvars.ContextVar("guild", default="-")
_cohort: contextvars.ContextVar[str] = contextvars.ContextVar("cohort", default="-")
_command: contextvars.ContextVar[str] = contextvars.ContextVar("command", default="-")

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [guild=%(guild)s cohort=%(cohort)s command=%(command)s] %(message)s"


def bind(*, guild: object = None, cohort: object = None, command: object = None) -> None:
    """Attach context to every log line of the current task from now on."""
    if guild is not None:
        _guild.set(str(guild))
    if cohort is not None:
        _cohort.set(str(cohort))
    if command is not None:
        _command.set(str(command))


class ContextFilter(logging.Filter):
    """Copies the current guild, cohort and command onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.guild, record.cohort, record.command = _guild.get(), _cohort.get(), _command.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "guild": getattr(record, "guild", "-"),
            "cohort": getattr(record, "cohort", "-"),
            "command": getattr(record, "command", "-"),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class DropNoise(logging.Filter):
    """Drops start-up lines nobody running the bot can act on (kept at DEBUG)."""

    def __init__(self, *fragments: str) -> None:
        super().__init__()
        self.fragments = fragments

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(fragment in record.getMessage() for fragment in self.fragments)


# Alembic's plugin set-up and dialect notes on every start; discord.py's notes that voice is not
# installed (the bot never joins voice).
_NOISE = {
    "alembic.runtime.migration": DropNoise("Context impl ", "Will assume "),
    "discord.client": DropNoise("voice will NOT be supported"),
}


def configure(level: str, fmt: str) -> None:
    """Root logging for the bot process: `fmt` is "text" or "json"."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # discord.py's HTTP debug lines can carry request headers; keep them out even at DEBUG.
    logging.getLogger("discord.http").setLevel(max(logging.INFO, logging.getLevelName(level)))
    # APScheduler logs every tick at INFO; the scheduler logs what it actually sent.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("alembic.runtime.plugins").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    for name, noise in _NOISE.items():
        if logging.getLevelName(level) > logging.DEBUG:
            logging.getLogger(name).addFilter(noise)
        else:
            logging.getLogger(name).removeFilter(noise)
