"""Request bodies checked against Discord's own OpenAPI description, as Discord checks them.

The description (vendored in `discord_api/`) states most field limits: embed title 256, field value
1,024, button label 80, custom_id 100, 25 choices, command names and descriptions... A body that breaks
it gets the answer Discord gives, `400 Invalid Form Body` (code 50035) with the failing fields.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).parent / "discord_api" / "openapi.json"
_URI = "urn:discord-api"
# Longest quote of an offending value in an error message (values can be thousands of characters).
_SHOWN = 120
_METHODS = {"get", "put", "post", "patch", "delete"}


@dataclass(frozen=True, slots=True)
class FieldError:
    """One refused field: `path` as Discord nests it (keys and list indexes), and why."""

    path: tuple[str | int, ...]
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class _Operation:
    method: str
    pattern: re.Pattern[str]
    literal_segments: int
    validator: Draft202012Validator


def _adjusted(spec: dict) -> dict:
    """Where practice differs from the description: Discord also reads snowflakes sent as integers, and
    permission bit sets sent as strings of digits (since API v8 it serializes them so itself, and
    discord.py sends them so)."""
    schemas = spec["components"]["schemas"]
    schemas["SnowflakeType"] = {"anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]}
    digits = {"type": "string", "pattern": "^[0-9]+$"}
    for schema in schemas.values():
        field = schema.get("properties", {}).get("permissions") if isinstance(schema, dict) else None
        if isinstance(field, dict) and "integer" in (field.get("type") or ()):
            schema["properties"]["permissions"] = {"anyOf": [field, digits]}
    return spec


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


@cache
def _operations() -> tuple[_Operation, ...]:
    spec = _adjusted(json.loads(SPEC_PATH.read_text(encoding="utf-8")))
    registry = Registry().with_resource(_URI, Resource.from_contents(spec, default_specification=DRAFT202012))
    operations = []
    for path, item in spec["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            content = (operation.get("requestBody") or {}).get("content") or {}
            if "application/json" not in content:
                continue
            ref = f"{_URI}#/" + _pointer("paths", path, method, "requestBody", "content", "application/json", "schema")
            validator = Draft202012Validator({"$ref": ref}, registry=registry)
            literal = sum(1 for part in path.split("/") if part and not part.startswith("{"))
            operations.append(_Operation(method.upper(), pattern, literal, validator))
    # The most specific path first: /messages/@original before /messages/{message_id}.
    operations.sort(key=lambda op: -op.literal_segments)
    return tuple(operations)


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors that say what is wrong: inside anyOf/oneOf, those of the closest alternative: the
    one whose discriminators (`type` enums) fit, then the one with the fewest complaints."""
    if not error.context:
        return [error]
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0] if sub.schema_path else None, []).extend(_leaves(sub))

    def misfit(leaves: list[ValidationError]) -> tuple[int, int]:
        return sum(e.validator in ("enum", "const", "type") for e in leaves), len(leaves)

    return min(branches.values(), key=misfit)


def _code(error: ValidationError) -> str:
    return {
        "maxLength": "BASE_TYPE_MAX_LENGTH",
        "minLength": "BASE_TYPE_MIN_LENGTH",
        "maxItems": "BASE_TYPE_MAX_LENGTH",
        "minItems": "BASE_TYPE_MIN_LENGTH",
        "required": "BASE_TYPE_REQUIRED",
        "maximum": "NUMBER_TYPE_MAX",
        "minimum": "NUMBER_TYPE_MIN",
    }.get(str(error.validator), "BASE_TYPE_INVALID")


def _message(error: ValidationError) -> str:
    if error.validator == "maxLength":
        return f"Must be {error.validator_value} or fewer in length."
    if error.validator == "maxItems":
        return f"Must be {error.validator_value} or fewer in length."
    text = error.message
    return text if len(text) <= 2 * _SHOWN else text[:_SHOWN] + " … " + text[-_SHOWN:]


def check_body(method: str, path: str, body: Any) -> list[FieldError]:
    """What Discord's OpenAPI description refuses in this request's JSON body (empty: accepted)."""
    if body is None:
        return []
    operation = next((op for op in _operations() if op.method == method and op.pattern.match(path)), None)
    if operation is None:
        return []
    errors: list[FieldError] = []
    for error in operation.validator.iter_errors(body):
        for leaf in _leaves(error):
            errors.append(FieldError(tuple(leaf.absolute_path), _code(leaf), _message(leaf)))
    return errors


def warm() -> None:
    """Load the description now (about a second) rather than on the first request."""
    _operations()
