"""Who is asking: the display name of the member whose interaction is being handled.

Set where an interaction starts, like the language (bot.i18n), so a service can keep the name a
member was last seen under (for moderators' exports) without a Discord import or a parameter on
every call. None outside an interaction (scheduled sends, the CLI).
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING, Any

from bot import i18n
from bot.db.models import Membership

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

NAME_MAX = 100  # what we keep; Discord's display names are at most 32 characters

_name: contextvars.ContextVar[str | None] = contextvars.ContextVar("caller_name", default=None)


def use_name(name: str | None) -> None:
    """Name the member being answered in this task (its interaction)."""
    _name.set(name[:NAME_MAX] if name else None)


def current_name() -> str | None:
    """The display name of the member being answered, if any."""
    return _name.get()


# session.info key: a membership's language or name changed and is not stored yet.
NOTED = "studybot.caller_noted"


def remember(session: Any, membership: Membership) -> None:
    """Note on `membership` the language the member uses now (for their nudges) and the name they go
    by (for exports), a change only when one changed, and mark `session` (async or not) as holding
    it. Stored with the command's own commit, or `commit_noted` on a read: a refused command writes nothing.
    Outside an interaction (no name: a scheduled send, a web page) nothing is noted: only the member's own
    commands say which language they use."""
    language, name = i18n.current(), current_name()
    if name is None:
        return
    if membership.locale != language:
        membership.locale = language
        session.info[NOTED] = True
    if name and membership.display_name != name:
        membership.display_name = name
        session.info[NOTED] = True


async def commit_noted(session: AsyncSession) -> None:
    """End a read that succeeded: commit what `remember` noted, if anything changed (else no commit)."""
    if session.info.pop(NOTED, False):
        await session.commit()
