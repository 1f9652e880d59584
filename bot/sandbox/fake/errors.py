"""What goes wrong on the person's side of the fake Discord: the member tried something Discord's client
would not send, or the bot did not answer. Their own types, not assertions: the sandbox shows them to
its user, and tests fail on them like on any exception."""

from __future__ import annotations


class PersonError(Exception):
    """The member's action could not happen, or got no answer."""


class NoSuchCommand(PersonError):
    """The bot registered no such command or subcommand."""


class NotSendable(PersonError):
    """Discord's client would not send this: an option the command lacks, a required one left out, or
    (`rules.ClientRefused`) a value the command's declaration rules out."""


class CommandHidden(PersonError):
    """Discord's client does not offer the command to this member: they lack its
    default_member_permissions and no admin allowed them (or a role of theirs) to use it."""


class NoSuchButton(PersonError):
    """The message has no button with that label."""


class NotAnswered(PersonError):
    """The bot did not answer in time: Discord would show 'The application did not respond'."""


class NoMessage(PersonError):
    """The bot's answer carried no message to read (a deferral, or a bare acknowledgement)."""


class CannotConnect(PersonError):
    """Discord's client does not connect them: not a voice channel of that server, or they lack Connect."""
