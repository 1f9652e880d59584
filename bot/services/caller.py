"""Who is asking: the display name of the member whose interaction is being handled.

Set where an interaction starts, like the language (bot.i18n), so a service can keep the name a
member was last seen under (for moderators' exports) without a Discord import or a parameter on
every call. None outside an interaction (scheduled sends, the CLI).
"""

from __future__ import annotations

import contextvars

NAME_MAX = 100  # what we keep; Discord's display names are at most 32 characters

_name: contextvars.ContextVar[str | None] = contextvars.ContextVar("caller_name", default=None)


def use_name(name: str | None) -> None:
    """Name the member being answered in this task (its interaction)."""
    _name.set(name[:NAME_MAX] if name else None)


def current_name() -> str | None:
    """The display name of the member being answered, if any."""
    return _name.get()
