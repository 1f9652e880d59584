"""What the command line checks before it touches the database, and the one line it prints when a
database cannot be used: the setting, what is wrong, what to do. Never a driver's traceback (those
stay for LOG_LEVEL=DEBUG), never a password."""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot.process.paths import sqlite_file, writable_file_problem

SUPPORTED = {("sqlite", "aiosqlite"), ("postgresql", "asyncpg")}
EXAMPLES = "sqlite+aiosqlite:///data/studybot.db (a file) or postgresql+asyncpg://USER:PASSWORD@HOST:5432/DB"
_SQLITE_HEADER = b"SQLite format 3\x00"


def shown(url: URL) -> str:
    """The URL with its password hidden, as it may appear in a message."""
    return url.render_as_string(hide_password=True)


def database_url_problem(database_url: str) -> str | None:
    """A DATABASE_URL the bot cannot use at all (unparseable, another database, driver missing)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return f"DATABASE_URL: {database_url[:80]!r} is not a database URL. Use {EXAMPLES}."
    kind = f"{url.get_backend_name()}+{url.get_driver_name()}"
    try:
        url.get_dialect().import_dbapi()
        installed = True
    except (ImportError, NoSuchModuleError):
        installed = False
    if (url.get_backend_name(), url.get_driver_name()) not in SUPPORTED:
        missing = "" if installed else " (and its driver is not installed)"
        return f"DATABASE_URL: {kind} is not a database studybot runs on{missing}. Use {EXAMPLES}."
    if not installed:
        return (
            f"DATABASE_URL: the {url.get_driver_name()} driver for {kind} is not installed. "
            "Install it with pip install '.[postgres]' (the Docker image has it)."
        )
    return None


def writable_database_problem(database_url: str) -> str | None:
    """A SQLite file whose folder cannot be made or written (see bot.process.paths)."""
    path = sqlite_file(database_url)
    return writable_file_problem(path, "DATABASE_URL") if path is not None else None


def missing_database_problem(database_url: str) -> str | None:
    """A SQLite file that does not exist, for commands that read an existing database (export)."""
    path = sqlite_file(database_url)
    if path is not None and not path.exists():
        return f"DATABASE_URL: there is no database at {path.resolve()}; nothing was created. Check DATABASE_URL."
    return None


def backup_target_problem(source: Path, target: Path) -> str | None:
    """A backup PATH that must not be written: the live database, a folder, or a file that is not
    an SQLite database (overwriting it would destroy something else)."""
    if target.is_dir():
        return f"backup: {target} is a folder; give a file path, such as {target / 'studybot-backup.db'}."
    if target.resolve() == source.resolve() or (target.exists() and target.samefile(source)):
        return f"backup: {target} is the live database itself; give another path."
    if target.exists() and target.stat().st_size > 0:
        with target.open("rb") as existing:
            if existing.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                return (
                    f"backup: {target} exists and is not an SQLite database; nothing was overwritten. "
                    "Remove it or pick another path."
                )
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack += [getattr(current, "orig", None), current.__cause__, current.__context__]


def database_failure(error: BaseException, database_url: str) -> str | None:
    """The one line for a failure to reach or open the database, or None if `error` is something else."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return None
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    for cause in _chain(error):
        name = type(cause).__name__
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH)
        ):
            return (
                f"DATABASE_URL: cannot connect to PostgreSQL at {where} (connection refused). "
                "Is the server running and listening there?"
            )
        if isinstance(cause, socket.gaierror):
            return f"DATABASE_URL: the host {url.host!r} cannot be resolved. Check the host name in DATABASE_URL."
        if isinstance(cause, TimeoutError):
            return f"DATABASE_URL: PostgreSQL at {where} did not answer in time. Check the host, port and firewall."
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
            return (
                f"DATABASE_URL: PostgreSQL at {where} refused the user {url.username!r} "
                "(wrong password, or no such user). Check the user and password in DATABASE_URL."
            )
        if name == "InvalidCatalogNameError":
            return f"DATABASE_URL: PostgreSQL at {where} has no database {url.database!r}. Create it first."
        if isinstance(cause, sqlite3.Error):
            return f"DATABASE_URL: SQLite cannot use {sqlite_file(database_url) or url.database}: {cause}."
    if isinstance(error, DBAPIError):
        first = str(error.orig or error).splitlines()[0] if str(error.orig or error) else type(error).__name__
        return f"DATABASE_URL: the database at {shown(url)} refused: {first}"
    return None
