"""The heartbeat the running bot writes every scheduler tick, and the check `studybot health` makes."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Heartbeat:
    at: datetime
    ready: bool  # connected to the gateway and ready for commands


def write_heartbeat(path: Path, *, ready: bool) -> None:
    """Replace the heartbeat file atomically, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps({"at": datetime.now(UTC).isoformat(), "ready": ready, "pid": os.getpid()}))
    tmp.replace(path)


def check(path: Path, max_age_seconds: float, now: datetime | None = None) -> tuple[bool, str]:
    """(healthy, one line saying why)."""
    try:
        data = json.loads(path.read_text())
        beat = Heartbeat(datetime.fromisoformat(data["at"]), bool(data["ready"]))
    except FileNotFoundError:
        return False, f"no heartbeat at {path}: the bot is not running (or not yet started)"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return False, f"unreadable heartbeat at {path}: {exc}"
    age = ((now or datetime.now(UTC)) - beat.at).total_seconds()
    if age > max_age_seconds:
        return False, f"heartbeat is {age:.0f}s old (limit {max_age_seconds:.0f}s): the scheduler has stopped"
    if not beat.ready:
        return False, "the bot is not connected to Discord"
    return True, f"healthy: heartbeat {age:.0f}s old, connected"
