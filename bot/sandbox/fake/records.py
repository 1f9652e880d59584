"""What the fake Discord keeps of what happened: requests, refusals, injected faults, messages and
interactions with the bot's answers to them."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.sandbox.fake import openapi
from bot.sandbox.fake.errors import NoMessage

EPHEMERAL = 1 << 6

# The parsed request body, set by the fake's middleware for every route.
BODY = web.RequestKey("body", object)


@dataclass
class RecordedRequest:
    method: str
    path: str
    body: Any


@dataclass
class Rejection:
    """A request the fake refused as Discord would (400 Invalid Form Body, or a refused callback)."""

    method: str
    path: str
    errors: list[openapi.FieldError]
    body: Any = None

    def __str__(self) -> str:
        fields = "; ".join(f"{'.'.join(map(str, e.path)) or '(body)'}: {e.message}" for e in self.errors)
        return f"{self.method} {self.path}: {fields}"


@dataclass
class Fault:
    """Answer the next `times` requests matching `method` and `path` (a regex) with an error."""

    method: str
    path: str
    status: int
    code: int = 0
    times: int = 1


@dataclass
class Message:
    """A message as the fake stores it; `payload` is what Discord would return."""

    payload: dict

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def content(self) -> str:
        return self.payload.get("content") or ""

    @property
    def embeds(self) -> list[dict]:
        return self.payload.get("embeds") or []

    @property
    def ephemeral(self) -> bool:
        return bool(self.payload.get("flags", 0) & EPHEMERAL)

    @property
    def buttons(self) -> list[dict]:
        return [c for row in self.payload.get("components") or [] for c in row.get("components", [])]

    @property
    def pinged(self) -> set[int]:
        """Ids of the users this message notified (Discord's `mentions`)."""
        return {int(u["id"]) for u in self.payload.get("mentions") or []}

    @property
    def attachments(self) -> list[dict]:
        return self.payload.get("attachments") or []

    def text(self) -> str:
        """Content plus every embed's title, description, fields and footer, for assertions."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
            parts.append((embed.get("footer") or {}).get("text", ""))
        return "\n".join(p for p in parts if p)


@dataclass
class InteractionRecord:
    """One interaction the fake sent, and everything the bot answered to it."""

    payload: dict
    callback_type: int | None = None
    callback_data: dict | None = None
    messages: list[Message] = field(default_factory=list)  # original response first, then follow-ups
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    sent_at: float = 0.0  # loop time when the fake dispatched it
    answered_at: float = 0.0  # loop time of the bot's first answer (callback or follow-up)
    completed_at: float = 0.0  # loop time of the answer itself (after a deferral: the edit that replaces it)

    @property
    def latency(self) -> float:
        """Dispatch to the bot's first answer (a deferral counts: Discord has it in time), in seconds."""
        return self.answered_at - self.sent_at

    @property
    def completion(self) -> float:
        """Dispatch to the answer the member reads, in seconds."""
        return self.completed_at - self.sent_at

    def complete(self) -> None:
        if not self.answered.is_set():
            self.completed_at = asyncio.get_running_loop().time()
        self.answered.set()

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def message(self) -> Message:
        """The visible answer: the response message, or the edited message for a button press."""
        if not self.messages:
            raise NoMessage(f"no message in the answer (callback type {self.callback_type})")
        return self.messages[-1]

    @property
    def choices(self) -> list[dict]:
        assert self.callback_type == 8, f"not an autocomplete answer: {self.callback_type}"
        return (self.callback_data or {}).get("choices", [])


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON answer as Discord sends it: discord.py parses a body only when the content type is exactly
    application/json."""
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})
