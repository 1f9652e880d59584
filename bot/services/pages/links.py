"""Signed page links: `<id>-<version>-<signature>`, an HMAC over what the link opens.

A link cannot be guessed or altered (the signature covers the kind, the id and the version) and is
revoked by moving the version on in the database. Every check answers only yes or no, so a wrong, altered
or revoked link looks the same from outside: the web layer answers each with one 404.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["c", "m"]  # a cohort's page, a member's own page
# 18 bytes of HMAC-SHA256: 144 bits, base64url without padding (24 characters).
SIGNATURE_BYTES = 18
_TOKEN = re.compile(r"(\d{1,18})-(\d{1,9})-([A-Za-z0-9_-]{24})")


@dataclass(frozen=True, slots=True)
class PageKey:
    """What a link names: a cohort or a membership, and the version it was signed with."""

    kind: Kind
    id: int
    version: int


class LinkSigner:
    """Signs and reads page links with one secret (PAGE_SECRET)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def _signature(self, key: PageKey) -> str:
        mac = hmac.new(self._secret, f"{key.kind}:{key.id}:{key.version}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:SIGNATURE_BYTES]).decode().rstrip("=")

    def token(self, key: PageKey) -> str:
        """The path part of a link to `key`."""
        return f"{key.id}-{key.version}-{self._signature(key)}"

    def path(self, key: PageKey) -> str:
        """The link's path, from the web root."""
        return f"/{key.kind}/{self.token(key)}"

    def read(self, kind: Kind, token: str) -> PageKey | None:
        """The key a token names when its signature is right (compared in constant time), else None.

        Whether the version is still the current one is the caller's to check against the database."""
        found = _TOKEN.fullmatch(token)
        if found is None:
            return None
        key = PageKey(kind, int(found[1]), int(found[2]))
        return key if hmac.compare_digest(self._signature(key), found[3]) else None


@dataclass(frozen=True, slots=True)
class PageLinks:
    """Whole page links: the signer and the address people open (PUBLIC_URL)."""

    signer: LinkSigner
    base_url: str

    def url(self, key: PageKey) -> str:
        """The address of the page `key` opens."""
        return self.base_url.rstrip("/") + self.signer.path(key)
