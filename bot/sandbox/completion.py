"""Tab in the sandbox: what Discord's client would offer for a half-typed line, without losing what was typed.

A title match whose value does not start with the typed text (`web` finds `jwt`, "JSON Web Tokens") is
listed, never put on the line while other candidates exist: readline would cut the typed text back to
the candidates' common start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.sandbox.errors import SandboxError
from bot.sandbox.fake import Channel, FakeDiscord, Guild, User
from bot.sandbox.parsing import Place, parse_command


class Console(Protocol):
    """What Tab reads of the sandbox: the fake, who types, where."""

    fake: FakeDiscord
    acting: User
    guild: Guild
    channel: Channel

    @property
    def place(self) -> Place: ...


@dataclass(frozen=True, slots=True)
class Completion:
    line: str  # the whole line after choosing it
    label: str  # what the list shows


def insertable(line: str, found: list[Completion]) -> list[str]:
    """The candidates of `found` Tab may put on `line` (see `Sandbox.complete`)."""
    keeping = [c.line for c in found if c.line.startswith(line)]
    if keeping or len(found) != 1:
        return keeping
    return [found[0].line]


def _label(choice: dict) -> str:
    value, name = str(choice["value"]), str(choice.get("name") or choice["value"])
    return value if name == value else f"{value} · {name}"


async def completions(box: Console, line: str) -> list[Completion]:
    """Everything Tab can offer for `line`: whole candidate lines, each with what Discord's list shows
    (an autocompleted option's choice name, such as a topic's title)."""
    if not line.startswith("/"):
        words = ["as ", "click ", "clock ", "locale ", "voice ", "open", "users", "channels", "help", "quit"]
        return [Completion(w, w.strip()) for w in words if w.startswith(line)]
    registered = box.fake.commands.get(None, []) + box.fake.commands.get(box.guild.id, [])
    head, _, last = line.rpartition(" ")
    if not head:  # the command name itself
        return [Completion(f"/{c['name']} ", f"/{c['name']}") for c in registered if f"/{c['name']}".startswith(line)]
    try:
        path, options = parse_command(box.fake, box.place, head)
    except SandboxError:
        # Maybe a subcommand is being typed.
        command = next((c for c in registered if c["name"] == head.lstrip("/").split()[0]), None)
        subs = [o["name"] for o in (command or {}).get("options", []) if o.get("type") == 1]
        return [Completion(f"{head} {s} ", s) for s in subs if s.startswith(last)]
    _, _, schemas = box.fake.command_schema(box.guild, path)
    if ":" not in last:
        names = [o["name"] for o in schemas if o["name"] not in options]
        return [Completion(f"{head} {n}:", f"{n}:") for n in names if n.startswith(last)]
    option, _, typed = last.partition(":")
    schema = next((o for o in schemas if o["name"] == option), None)
    if schema is None:
        return []
    if schema.get("choices"):
        choices = [c for c in schema["choices"] if str(c["value"]).lower().startswith(typed.lower())]
    elif schema.get("autocomplete"):
        # The bot's own answer, as Discord's client lists it (it matches titles, not only prefixes).
        choices = await box.fake.autocomplete(
            box.acting, box.guild, box.channel, path, focused=option, **(options | {option: typed})
        )
    else:
        return []
    return [Completion(f"{head} {option}:{c['value']} ", _label(c)) for c in choices]
