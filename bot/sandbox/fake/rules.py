"""Discord's limits that its OpenAPI description does not state, or states for people rather than bots.

Each check returns `FieldError`s in the shape of Discord's `400 Invalid Form Body` (code 50035); an
empty list means Discord would accept the body. `openapi.check_body` covers the per-field limits.
`check_option_value` is the other side: what Discord's client refuses to send for a command's options.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.fake.errors import NotSendable
from bot.sandbox.fake.openapi import FieldError

CONTENT_MAX = 2000  # for bots; the description's 4,000 is for people
EMBEDS_TOTAL_MAX = 6000  # title, description, field names and values, footer and author, over all embeds
ACTION_ROWS_MAX = 5  # without the components-v2 flag
CHOICE_VALUE_MAX = 100  # an autocomplete choice's string value (the description allows 6,000)
# A command's name, description and options' names, descriptions and choices, each field counted at its
# longest localization (the default included): 8000 since February 2024 (discord-api-docs #6648, #6668;
# the localization rule: #5343).
COMMAND_TEXT_MAX = 8000
COMMANDS_MAX = 100  # chat-input commands per scope
OPTION_MAX_LENGTH_MAX = 6000
# Command and option names: lowercase letters, digits, - and _ (Discord's regex, for the scripts we use).
_NAME = re.compile(r"^[-_0-9a-z\u00df-\u00ff]{1,32}$")
_COMPONENTS_V2 = 1 << 15


class ClientRefused(NotSendable):
    """Discord's client would not send this: an option value breaks what the command declared."""


def _error(path: tuple[str | int, ...], message: str, code: str = "BASE_TYPE_INVALID") -> FieldError:
    return FieldError(path, code, message)


def _embed_text(embed: dict) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += sum(len(f.get("name") or "") + len(f.get("value") or "") for f in embed.get("fields") or [])
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def check_message(data: dict, prefix: tuple[str | int, ...] = (), *, creating: bool = True) -> list[FieldError]:
    """A message body (channel post, interaction answer, follow-up, edit)."""
    if not isinstance(data, dict):
        return []
    errors = []
    content = data.get("content")
    if isinstance(content, str) and len(content) > CONTENT_MAX:
        errors.append(
            _error((*prefix, "content"), f"Must be {CONTENT_MAX} or fewer in length.", "BASE_TYPE_MAX_LENGTH")
        )
    embeds = data.get("embeds") or []
    if sum(_embed_text(e) for e in embeds if isinstance(e, dict)) > EMBEDS_TOTAL_MAX:
        errors.append(
            _error((*prefix, "embeds"), f"Embed size exceeds maximum size of {EMBEDS_TOTAL_MAX}", "MAX_EMBED_SIZE")
        )
    rows = data.get("components") or []
    if not (data.get("flags") or 0) & _COMPONENTS_V2 and len(rows) > ACTION_ROWS_MAX:
        errors.append(
            _error((*prefix, "components"), f"Must be {ACTION_ROWS_MAX} or fewer in length.", "BASE_TYPE_MAX_LENGTH")
        )
    errors += _check_allowed_mentions(data.get("allowed_mentions"), (*prefix, "allowed_mentions"))
    has_body = content or embeds or rows or data.get("_files") or data.get("attachments") or data.get("sticker_ids")
    if creating and not has_body:
        errors.append(_error(prefix, "Cannot send an empty message", "EMPTY_MESSAGE"))
    return errors


def _check_allowed_mentions(mentions: Any, path: tuple[str | int, ...]) -> list[FieldError]:
    if not isinstance(mentions, dict):
        return []
    parse = mentions.get("parse") or []
    errors = []
    for kind in ("users", "roles"):
        if kind in parse and mentions.get(kind):
            errors.append(
                _error(
                    (*path, "parse"),
                    f'Allowed mentions parse contains "{kind}" while {kind} are listed: mutually exclusive.',
                    "ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                )
            )
    return errors


def check_callback(body: dict) -> list[FieldError]:
    """An interaction callback: a message (4), an update (7), autocomplete choices (8)."""
    if not isinstance(body, dict):
        return []
    kind, data = body.get("type"), body.get("data") or {}
    if kind == 4:
        return check_message(data, ("data",))
    if kind == 7:
        return check_message(data, ("data",), creating=False)
    if kind == 8:
        return [
            _error(
                ("data", "choices", i, "value"),
                f"Must be {CHOICE_VALUE_MAX} or fewer in length.",
                "BASE_TYPE_MAX_LENGTH",
            )
            for i, choice in enumerate(data.get("choices") or [])
            if isinstance(choice, dict) and isinstance(choice.get("value"), str)
            if len(choice["value"]) > CHOICE_VALUE_MAX
        ]
    return []


def _longest(item: dict, field: str) -> int:
    """A field's length as Discord counts it toward a command's size: its longest localization."""
    localized = (item.get(f"{field}_localizations") or {}).values()
    return max((len(str(text or "")) for text in (item.get(field), *localized)), default=0)


def _command_text(command: dict) -> int:
    total = _longest(command, "name") + _longest(command, "description")
    for option in command.get("options") or []:
        total += _command_text(option)
        for choice in option.get("choices") or []:
            total += _longest(choice, "name") + len(str(choice.get("value") or ""))
    return total


def _check_options(options: list[dict], path: tuple[str | int, ...]) -> list[FieldError]:
    errors = []
    seen_optional = False
    names = set()
    for i, option in enumerate(options):
        where = (*path, i)
        name = option.get("name") or ""
        if not _NAME.match(name):
            errors.append(_error((*where, "name"), "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME"))
        if name in names:
            errors.append(_error((*where, "name"), "Option names must be unique", "APPLICATION_COMMAND_DUPLICATE"))
        names.add(name)
        if option.get("type") in (1, 2):
            errors += _check_options(option.get("options") or [], (*where, "options"))
            continue
        if option.get("required"):
            if seen_optional:
                errors.append(
                    _error(where, "Required options must be placed before non-required options", "REQUIRED_ORDER")
                )
        else:
            seen_optional = True
        low, high = option.get("min_length"), option.get("max_length")
        if low is not None and high is not None and low > high:
            errors.append(_error((*where, "min_length"), "min_length must not exceed max_length", "BASE_TYPE_INVALID"))
        if option.get("autocomplete") and option.get("choices"):
            errors.append(
                _error(where, "Autocomplete cannot be set on options with choices", "AUTOCOMPLETE_WITH_CHOICES")
            )
    return errors


def check_commands(commands: Any) -> list[FieldError]:
    """A bulk overwrite of application commands."""
    if not isinstance(commands, list):
        return []
    errors = []
    if sum(1 for c in commands if isinstance(c, dict) and c.get("type", 1) == 1) > COMMANDS_MAX:
        errors.append(_error((), f"Must be {COMMANDS_MAX} or fewer in length.", "BASE_TYPE_MAX_LENGTH"))
    for i, command in enumerate(commands):
        if not isinstance(command, dict):
            continue
        if not _NAME.match(command.get("name") or ""):
            errors.append(_error((i, "name"), "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME"))
        if _command_text(command) > COMMAND_TEXT_MAX:
            errors.append(
                _error((i,), f"Command exceeds maximum size ({COMMAND_TEXT_MAX})", "APPLICATION_COMMAND_TOO_LARGE")
            )
        errors += _check_options(command.get("options") or [], (i, "options"))
    return errors


def check_request(method: str, path: str, body: Any) -> list[FieldError]:
    """The rules of this file that apply to one request (path without the /api/v10 prefix)."""
    if body is None:
        return []
    if method == "PUT" and re.fullmatch(r"/applications/[^/]+(/guilds/[^/]+)?/commands", path):
        return check_commands(body)
    if method == "POST" and re.fullmatch(r"/interactions/[^/]+/[^/]+/callback", path):
        return check_callback(body)
    if method == "POST" and re.fullmatch(r"/channels/[^/]+/messages|/webhooks/[^/]+/[^/]+", path):
        return check_message(body)
    if method == "PATCH" and re.fullmatch(r"/webhooks/[^/]+/[^/]+/messages/[^/]+", path):
        return check_message(body, creating=False)
    return []


def check_option_value(schema: dict, value: Any, *, typing: bool) -> None:
    """Refuse, as Discord's client does, a value the option's declaration rules out."""
    name, kind = schema["name"], schema["type"]
    choices = [c["value"] for c in schema.get("choices") or []]
    if kind == 3:
        if not isinstance(value, str):
            raise ClientRefused(f"option {name!r} takes text, not {value!r}")
        low, high = schema.get("min_length"), schema.get("max_length")
        if high is not None and len(value) > high:
            raise ClientRefused(f"option {name!r}: {len(value)} characters, the command allows {high}")
        if low is not None and len(value) < low and not typing:
            raise ClientRefused(f"option {name!r}: {len(value)} characters, the command needs {low}")
    elif kind in (4, 10):
        wanted = int if kind == 4 else int | float
        if isinstance(value, bool) or not isinstance(value, wanted):
            raise ClientRefused(f"option {name!r} takes a number, not {value!r}")
        low, high = schema.get("min_value"), schema.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ClientRefused(f"option {name!r}: {value} is outside {low}..{high}")
    elif kind == 5 and not isinstance(value, bool):
        raise ClientRefused(f"option {name!r} takes true or false, not {value!r}")
    if choices and not typing and value not in choices:
        raise ClientRefused(f"option {name!r}: {value!r} is not one of its choices {choices}")
