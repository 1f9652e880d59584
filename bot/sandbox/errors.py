"""The sandbox's own error: a typed line it could not run."""

from __future__ import annotations


class SandboxError(Exception):
    """A line the sandbox could not run; the message says why."""
