"""Errors whose message is meant for the person who typed the command: a key and values (bot.i18n.Text),
worded in the reader's language where the answer is rendered."""

from __future__ import annotations

from bot.i18n import Text


class StudybotError(Exception):
    """A problem with the request itself; `text` says what was wrong and what is accepted."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.key)
        self.text = text

    @property
    def message(self) -> str:
        """The text worded in the current language (the reader's, where an answer is rendered)."""
        return str(self.text)


class InvalidInput(StudybotError):
    """An option value that is not acceptable (a bad time, date, timezone, note...)."""


class NotFound(StudybotError):
    """A cohort, topic, stage or member that does not exist here."""


class Conflict(StudybotError):
    """The request clashes with the current state (a duplicate name, an archived cohort...)."""


class NotAllowed(StudybotError):
    """The caller lacks the right to do this."""


class NeedsConfirmation(StudybotError):
    """A valid request that is probably a mistake: `text` says why; the caller asks, then repeats it
    with the confirmation given."""


class _Hint(Text):
    """A sentence that follows another: worded with the space before it."""

    __slots__ = ()

    def __str__(self) -> str:
        return " " + super().__str__()


def did_you_mean(candidates: list[str]) -> Text | str:
    """' Did you mean a, b?' (worded when read), or '' when there is nothing close."""
    if not candidates:
        return ""
    return _Hint("Did you mean {names}?", names=", ".join(f"**{c}**" for c in candidates))
