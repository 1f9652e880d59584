"""`studybot sandbox`: an interactive prompt with Tab completion, or a script read from standard input."""

from __future__ import annotations

import asyncio
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.roadmap import RoadmapCatalog
from bot.sandbox.session import HELP, Completion, Sandbox, insertable, quiet_logs

PROMPT_HINT = "studybot sandbox: the real bot against a Discord stand-in on this machine. `help` for help."


@dataclass(frozen=True, slots=True)
class Setup:
    """What a sandbox session runs on: the roadmaps, where its data and the bot's files are kept."""

    roadmaps: RoadmapCatalog
    roadmap_path: Path
    roadmaps_dir: Path | None = None
    db: Path | None = None  # None: a throwaway database
    files_dir: Path | None = None  # None: a new folder, named at start

    def sandbox(self) -> Sandbox:
        return Sandbox(emit=lambda text: print(text, flush=True), files_dir=self.files_dir)

    async def start(self, sandbox: Sandbox) -> None:
        await sandbox.start(self.roadmaps, self.db, self.roadmap_path, self.roadmaps_dir)


async def run_script(lines: list[str], setup: Setup) -> int:
    """Echo and run each line; 1 when any command failed or got no answer."""
    sandbox = setup.sandbox()
    await setup.start(sandbox)
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


def run_interactive(setup: Setup) -> int:
    """The bot runs on an event loop in a thread; the prompt (readline) runs here."""
    import readline

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sandbox-loop", daemon=True)
    thread.start()

    def call(coro, timeout: float = 30):  # noqa: ANN001, ANN202 - any coroutine, its result
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    sandbox = setup.sandbox()
    print("starting the bot...", flush=True)
    call(setup.start(sandbox), timeout=60)
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


def main(setup: Setup) -> int:
    """Interactive on a terminal, a script otherwise (`studybot sandbox < script.txt`)."""
    quiet_logs()
    if sys.stdin.isatty():
        return run_interactive(setup)
    return asyncio.run(run_script(sys.stdin.read().splitlines(), setup))


__all__ = ["HELP", "main"]
