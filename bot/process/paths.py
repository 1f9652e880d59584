"""Files the bot writes (the SQLite database, the heartbeat): made ready before start, or one clear line
that names the setting, the path and what to do, instead of a traceback from deep inside a driver."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def sqlite_file(database_url: str) -> Path | None:
    """The file of a file-backed SQLite URL, else None (PostgreSQL, in-memory, unparseable)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser()


def writable_file_problem(path: Path, setting: str) -> str | None:
    """Create the folder of `path` if needed; None when the bot can write the file, else the one line
    to print (relative paths are named as resolved, since the working directory is often the surprise)."""
    where = path if path.is_absolute() else Path.cwd() / path
    folder = where.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"{setting}: {folder} should be a folder for {where.name}, but it is a file. Point {setting} elsewhere."
    except OSError as exc:
        return _advice(setting, where, f"cannot create the folder {folder} ({exc.strerror or exc})")
    if where.exists() and not os.access(where, os.W_OK):
        return _advice(setting, where, f"{where} is read-only for this user")
    if not where.exists() and not os.access(folder, os.W_OK | os.X_OK):
        return _advice(setting, where, f"cannot create files in {folder}")
    return None


def _advice(setting: str, where: Path, problem: str) -> str:
    user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "this user"
    return (
        f"{setting}: {problem} (the bot runs as {user}). Give that user write access there, or point "
        f"{setting} at a folder it can write (in Docker: the /data volume, which the image's defaults use)."
    )


def web_port_problem(host: str, port: int) -> str | None:
    """None when the pages' address can be listened on, else the one line to print (a port in use, an
    address this machine does not have). Checked before connecting; the server itself binds later, at start."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
            probe.bind(address)
    except OSError as exc:
        return (
            f"WEB_PORT: cannot serve pages on {host}:{port} ({exc.strerror or exc}). Choose a free port, set "
            "WEB_HOST to an address of this machine, or leave WEB_PORT empty to serve no pages."
        )
    return None
