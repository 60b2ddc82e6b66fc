"""Bearer tokens: settings hold `user:role:sha256(token)` entries, never a token itself.

Tokens are 32 random bytes, so a plain SHA-256 is enough to make a leaked settings file useless
(no password to brute-force); a slow KDF would only slow every request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from cases.workflow import ROLES, Principal, Role

TOKEN_PREFIX = "cst_"
_USER = re.compile(r"^[a-z][a-z0-9._-]{0,63}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenEntry:
    user: str
    role: Role
    token_sha256: str

    def __str__(self) -> str:
        return f"{self.user}:{self.role}:{self.token_sha256}"


def parse_entries(text: str) -> tuple[TokenEntry, ...]:
    """Parse `user:role:sha256,...`; ValueError names the first bad entry."""
    entries: list[TokenEntry] = []
    parts = [part.strip() for part in text.split(",")]
    for number, raw in enumerate((part for part in parts if part), start=1):
        user, role, digest = ([*raw.split(":"), "", ""])[:3]
        if raw.count(":") != 2 or not _USER.match(user):
            # Never echo the entry: a token pasted here by mistake would land in the logs.
            raise ValueError(
                f"entry {number}: expected user:role:sha256 (user a-z0-9._-, the token's hash,"
                " never the token)"
            )
        if role not in ROLES:
            raise ValueError(f"entry {user!r}: role must be one of {', '.join(ROLES)}")
        if not _HEX.match(digest):
            raise ValueError(f"entry {user!r}: the hash must be 64 lowercase hex digits")
        if any(entry.user == user for entry in entries):
            raise ValueError(f"entry {user!r}: user listed twice")
        if any(entry.token_sha256 == digest for entry in entries):
            raise ValueError(f"entry {user!r}: shares its token hash with another user")
        entries.append(TokenEntry(user, role, digest))  # type: ignore[arg-type]
    return tuple(entries)


class TokenBook:
    """Who a bearer token belongs to."""

    def __init__(self, entries: tuple[TokenEntry, ...]) -> None:
        self._by_hash: Mapping[str, TokenEntry] = {entry.token_sha256: entry for entry in entries}

    def __len__(self) -> int:
        return len(self._by_hash)

    def users(self) -> dict[str, Role]:
        """Every known user and their role."""
        return {entry.user: entry.role for entry in self._by_hash.values()}

    def principal(self, token: str) -> Principal | None:
        digest = hash_token(token)
        for known, entry in self._by_hash.items():
            if hmac.compare_digest(known, digest):
                return Principal(entry.user, entry.role)
        return None
