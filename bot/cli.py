"""The one command line: `studybot run | migrate | check-roadmap`. This is the composition root."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from bot.config import Settings, env_file
from bot.roadmap import RoadmapCatalog, RoadmapCatalogError, load_catalog, summarize

log = logging.getLogger("studybot")

EXIT_CONFIG = 2


def _settings() -> Settings:
    try:
        return Settings(_env_file=env_file())
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"studybot: invalid settings: {problems}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None


def _stop(line: str) -> NoReturn:
    """Print one line for an operator and exit with the configuration status."""
    print(f"studybot: {line}", file=sys.stderr)
    raise SystemExit(EXIT_CONFIG)


def _database_or_exit(settings: Settings, *, writes: bool = True, must_exist: bool = False) -> None:
    """Stop with one line when DATABASE_URL cannot work: unparseable, unsupported, driver missing, a
    SQLite file that cannot be written (`writes`) or does not exist (`must_exist`)."""
    from bot.process import preflight

    problem = preflight.database_url_problem(settings.database_url)
    if problem is None and must_exist:
        problem = preflight.missing_database_problem(settings.database_url)
    if problem is None and writes:
        problem = preflight.writable_database_problem(settings.database_url)
    if problem:
        _stop(problem)


@contextmanager
def _database_failures(settings: Settings) -> Iterator[None]:
    """A database that refuses or cannot be reached ends in one line (the traceback too at DEBUG)."""
    try:
        yield
    except Exception as exc:
        from bot.process.preflight import database_failure

        line = database_failure(exc, settings.database_url)
        if line is None:
            raise
        if settings.log_level == "DEBUG":
            log.debug("database failure", exc_info=exc)
        _stop(line)


def _configure_logging(settings: Settings) -> None:
    from bot.logs import configure

    configure(settings.log_level, settings.log_format)


def _load_roadmaps_or_exit(path: Path, roadmaps_dir: Path | None) -> RoadmapCatalog:
    try:
        return load_catalog(path, roadmaps_dir)
    except RoadmapCatalogError as exc:
        print(f"studybot: a roadmap is invalid, nothing was started:\n{exc}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None


def cmd_check_roadmap(args: argparse.Namespace) -> int:
    """Validate one file (`path`), or ROADMAP_PATH and every file of ROADMAPS_DIR."""
    if args.path:
        path, roadmaps_dir = Path(args.path), None
    else:
        settings = _settings()
        path, roadmaps_dir = settings.roadmap_path, settings.roadmaps_dir
    try:
        catalog = load_catalog(path, roadmaps_dir)
    except RoadmapCatalogError as exc:
        print(f"{len(exc.errors)} file(s) with errors:\n{exc}", file=sys.stderr)
        return EXIT_CONFIG if exc.unreadable else 1
    for key, roadmap in catalog.items():
        print(f"{path if key == 'default' else key}: OK (key: {key})\n{summarize(roadmap)}")
    return 0


def _heartbeat_or_exit(settings: Settings) -> None:
    """Stop with one line when the heartbeat file cannot be written."""
    from bot.process.paths import writable_file_problem

    problem = writable_file_problem(settings.heartbeat_path, "HEARTBEAT_PATH")
    if problem:
        _stop(problem)


def _web_port_or_exit(settings: Settings) -> None:
    """Stop with one line when the pages' port cannot be listened on."""
    from bot.process.paths import web_port_problem

    if settings.web_port:  # 0 (any free port) always binds
        problem = web_port_problem(settings.web_host, settings.web_port)
        if problem:
            _stop(problem)


def cmd_migrate(_args: argparse.Namespace) -> int:
    from bot.db.migrate import upgrade_to_head

    settings = _settings()
    _configure_logging(settings)
    _database_or_exit(settings)
    with _database_failures(settings):
        upgrade_to_head(settings.database_url)
    print("database is at the newest schema")
    return 0


async def _run_bot(settings: Settings, roadmaps: RoadmapCatalog, token: str) -> None:
    from bot.process.runner import default_clock, prepared_bot, serve, stop_on_signals

    stop = stop_on_signals()  # from the first moment: a SIGTERM during migrations is honoured too
    async with AsyncExitStack() as stack:
        # Only preparing touches the database: a failure there is one line about DATABASE_URL, while
        # one from serving (Discord unreachable, a bad token) is said below, about Discord.
        with _database_failures(settings):
            preparing = asyncio.ensure_future(
                stack.enter_async_context(prepared_bot(settings, roadmaps, default_clock(settings)))
            )
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({preparing, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not preparing.done():
                # A migration runs in a thread of its own and completes (the schema stays whole);
                # waiting for a database that does not answer is simply abandoned.
                preparing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await preparing
                log.info("stopped before connecting")
                return
            stopping.cancel()
            bot = preparing.result()
        if stop.is_set():
            log.info("stopped before connecting")
            return
        await serve(bot, token, stop)


def cmd_run(_args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        print(
            "studybot: DISCORD_TOKEN is not set. Copy .env.example to .env and put your bot token in it.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    _configure_logging(settings)
    # The roadmap and the files are checked before anything touches the database or Discord.
    roadmaps = _load_roadmaps_or_exit(settings.roadmap_path, settings.roadmaps_dir)
    _database_or_exit(settings)
    _heartbeat_or_exit(settings)
    _web_port_or_exit(settings)
    try:
        asyncio.run(_run_bot(settings, roadmaps, settings.discord_token.get_secret_value().strip()))
    except KeyboardInterrupt:
        pass
    except Exception as exc:
        import aiohttp
        import discord

        from bot.services.cohorts.roadmap_sync import UnknownRoadmaps

        if isinstance(exc, UnknownRoadmaps):
            print(f"studybot: {exc}; nothing was started.", file=sys.stderr)
            return 1

        if isinstance(exc, discord.LoginFailure):
            print("studybot: Discord refused the token (DISCORD_TOKEN). Check it in .env.", file=sys.stderr)
            return EXIT_CONFIG
        if isinstance(exc, aiohttp.ClientConnectionError | discord.GatewayNotFound):
            print(
                f"studybot: cannot reach Discord at {settings.discord_api_base_url} ({exc}). "
                "Check the network, or DISCORD_API_BASE_URL / DISCORD_GATEWAY_URL in .env.",
                file=sys.stderr,
            )
            return 1
        raise
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    from bot.sandbox import repl

    env = Settings(_env_file=None)
    roadmap_path = env.roadmap_path if args.roadmap is None else Path(args.roadmap)
    roadmaps_dir = env.roadmaps_dir if args.roadmaps_dir is None else Path(args.roadmaps_dir)
    roadmaps = _load_roadmaps_or_exit(roadmap_path, roadmaps_dir)
    return repl.main(
        repl.Setup(
            roadmaps,
            roadmap_path,
            roadmaps_dir,
            db=Path(args.db) if args.db else None,
            files_dir=Path(args.files) if args.files else None,
        )
    )


def cmd_export(args: argparse.Namespace) -> int:
    import json

    from bot.db.engine import create_engine, create_sessionmaker
    from bot.render.export_csv import to_csv
    from bot.services.clock import SystemClock
    from bot.services.cohorts.registry import CohortService
    from bot.services.member_data.export import ExportService

    settings = _settings()
    _database_or_exit(settings, writes=False, must_exist=True)
    roadmaps = _load_roadmaps_or_exit(settings.roadmap_path, settings.roadmaps_dir)

    async def export() -> list[dict]:
        engine = create_engine(settings.database_url)
        try:
            sessions = create_sessionmaker(engine)
            exports = ExportService(sessions, CohortService(sessions, SystemClock()), roadmaps)
            return await exports.export(guild_id=args.guild)
        finally:
            await engine.dispose()

    with _database_failures(settings):
        data = asyncio.run(export())
    sys.stdout.write(json.dumps(data, indent=2) + "\n" if args.format == "json" else to_csv(data))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    import sqlite3

    from bot.process.paths import sqlite_file, writable_file_problem
    from bot.process.preflight import backup_target_problem

    settings = _settings()
    _database_or_exit(settings, writes=False, must_exist=True)
    source_path, target = sqlite_file(settings.database_url), Path(args.path)
    if source_path is None:
        _stop("backup copies a SQLite database; for PostgreSQL use pg_dump")
    problem = backup_target_problem(source_path, target) or writable_file_problem(target, "backup PATH")
    if problem:
        _stop(problem)
    # SQLite's online backup API: a consistent copy while the bot keeps writing.
    with _database_failures(settings), sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    print(f"backed up {source_path} to {target}")
    return 0


def cmd_health(_args: argparse.Namespace) -> int:
    from bot.process.health import check

    settings = _settings()
    healthy, why = check(settings.heartbeat_path, max_age_seconds=max(3 * settings.scheduler_tick_seconds, 10))
    print(why, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studybot", description="A Discord bot for roadmap study groups.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="apply migrations, then connect to Discord").set_defaults(func=cmd_run)
    sub.add_parser("migrate", help="bring the database to the newest schema").set_defaults(func=cmd_migrate)
    check = sub.add_parser("check-roadmap", help="validate a roadmap file and print a summary")
    check.add_argument("path", nargs="?", help="the file (default: ROADMAP_PATH)")
    check.set_defaults(func=cmd_check_roadmap)
    export = sub.add_parser("export", help="members, current topics, done/skip history and check-ins, to stdout")
    export.add_argument("--guild", type=int, help="only this server (id)")
    export.add_argument("--format", choices=("csv", "json"), default="json")
    export.set_defaults(func=cmd_export)
    backup = sub.add_parser("backup", help="a consistent copy of the SQLite database, taken while the bot runs")
    backup.add_argument("path", help="where to write the copy")
    backup.set_defaults(func=cmd_backup)
    sub.add_parser(
        "health", help="exit 0 when the running bot's heartbeat is fresh (container health check)"
    ).set_defaults(func=cmd_health)
    sandbox = sub.add_parser(
        "sandbox", help="try the real bot in a terminal against a Discord stand-in (no token, no network)"
    )
    sandbox.add_argument("--db", help="keep the data in this SQLite file (default: a throwaway one)")
    sandbox.add_argument("--roadmap", help="the roadmap file (default: ROADMAP_PATH or roadmap.yaml)")
    sandbox.add_argument("--roadmaps-dir", help="a folder of more roadmaps (default: ROADMAPS_DIR)")
    sandbox.add_argument(
        "--files", help="save the pictures and files the bot sends here (default: a new folder, named at start)"
    )
    sandbox.set_defaults(func=cmd_sandbox)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `studybot` console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
