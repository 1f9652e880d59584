"""Errors whose message is meant for the person who typed the command."""

from __future__ import annotations

from bot.i18n import t


class StudybotError(Exception):
    """A problem with the request itself; `message` says what was wrong and what is accepted."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(StudybotError):
    """An option value that is not acceptable (a bad time, date, timezone, note...)."""


class NotFound(StudybotError):
    """A cohort, topic, stage or member that does not exist here."""


class Conflict(StudybotError):
    """The request clashes with the current state (a duplicate name, an archived cohort...)."""


class NotAllowed(StudybotError):
    """The caller lacks the right to do this."""


class NeedsConfirmation(StudybotError):
    """A valid request that is probably a mistake: `message` says why; the caller asks, then repeats it
    with the confirmation given."""


def did_you_mean(candidates: list[str]) -> str:
    """' Did you mean a, b?' or '' when there is nothing close."""
    if not candidates:
        return ""
    return " " + t("Did you mean {names}?", names=", ".join(f"**{c}**" for c in candidates))
