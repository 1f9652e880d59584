"""`studybot sandbox`: an interactive prompt with Tab completion, or a script read from standard input."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

from bot.roadmap import RoadmapCatalog
from bot.sandbox.session import HELP, Completion, Sandbox, insertable, quiet_logs

PROMPT_HINT = "studybot sandbox: the real bot against a Discord stand-in on this machine. `help` for help."


async def run_script(
    lines: list[str],
    roadmaps: RoadmapCatalog,
    roadmap_path: Path,
    roadmaps_dir: Path | None,
    db: Path | None,
    files_dir: Path | None = None,
) -> int:
    """Echo and run each line; 1 when any command failed or got no answer."""
    sandbox = Sandbox(emit=lambda text: print(text, flush=True), files_dir=files_dir)
    await sandbox.start(roadmaps, db, roadmap_path, roadmaps_dir)
    try:
        for line in lines:
            if line.strip() in ("quit", "exit"):
                break
            if line.strip() and not line.lstrip().startswith("#"):
                print(f"\n@{sandbox.acting.name}> {line.strip()}", flush=True)
            await sandbox.execute(line)
    finally:
        await sandbox.aclose()
    if sandbox.failures:
        print(f"\n{sandbox.failures} command(s) failed or got no answer", file=sys.stderr)
    return 1 if sandbox.failures else 0


def run_interactive(
    roadmaps: RoadmapCatalog, roadmap_path: Path, roadmaps_dir: Path | None, db: Path | None, files_dir: Path | None
) -> int:
    """The bot runs on an event loop in a thread; the prompt (readline) runs here."""
    import readline

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sandbox-loop", daemon=True)
    thread.start()

    def call(coro, timeout: float = 30):  # noqa: ANN001, ANN202 - any coroutine, its result
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    sandbox = Sandbox(emit=lambda text: print(text, flush=True), files_dir=files_dir)
    print("starting the bot...", flush=True)
    call(sandbox.start(roadmaps, db, roadmap_path, roadmaps_dir), timeout=60)
    print(PROMPT_HINT)
    matches: list[str] = []
    found: list[Completion] = []

    def show_list(*_args: object) -> None:
        # What Discord's list shows (titles), not the bare values readline would print.
        print("\n" + "\n".join(f"  {c.label}" for c in found))
        print(f"@{sandbox.acting.name}> {readline.get_line_buffer()}", end="", flush=True)

    def completer(_text: str, state: int) -> str | None:
        nonlocal matches, found
        if state == 0:
            line = readline.get_line_buffer()[: readline.get_endidx()]
            try:
                found = call(sandbox.completions(line), timeout=3)
            except Exception:
                found = []
            keeping = insertable(line, found)
            if not keeping and len(found) > 1:  # only title matches: list them, keep the typed text
                show_list()
                readline.redisplay()
            # readline replaces only the word being typed: offer what follows the last delimiter.
            start = readline.get_begidx()
            matches = [m[start:] for m in keeping]
        return matches[state] if state < len(matches) else None

    readline.set_completer_delims(" ")
    readline.set_completer(completer)
    readline.set_completion_display_matches_hook(show_list)
    readline.parse_and_bind("tab: complete")
    try:
        while True:
            try:
                line = input(f"@{sandbox.acting.name}> ")
            except (EOFError, KeyboardInterrupt):
                print()
                break
            if line.strip() in ("quit", "exit"):
                break
            call(sandbox.execute(line), timeout=60)
    finally:
        call(sandbox.aclose(), timeout=30)
        loop.call_soon_threadsafe(loop.stop)
    return 0


def main(
    roadmaps: RoadmapCatalog,
    roadmap_path: Path,
    roadmaps_dir: Path | None,
    db: Path | None,
    files_dir: Path | None = None,
) -> int:
    """Interactive on a terminal, a script otherwise (`studybot sandbox < script.txt`)."""
    quiet_logs()
    if sys.stdin.isatty():
        return run_interactive(roadmaps, roadmap_path, roadmaps_dir, db, files_dir)
    lines = sys.stdin.read().splitlines()
    return asyncio.run(run_script(lines, roadmaps, roadmap_path, roadmaps_dir, db, files_dir))


__all__ = ["HELP", "main"]
