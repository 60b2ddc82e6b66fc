"""Bearer tokens: settings hold `user:role:sha256(token)` entries, never a token itself
(common/credentials.py: why a plain SHA-256, the entries' checks)."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from cases.workflow import ROLES, Principal, Role
from common.credentials import EntryFormat, expired, new_secret, sha256_hex, split_entries

TOKEN_PREFIX = "cst_"


def new_token() -> str:
    return new_secret(TOKEN_PREFIX)


def hash_token(token: str) -> str:
    return sha256_hex(token)


@dataclass(frozen=True)
class TokenEntry:
    user: str
    role: Role
    token_sha256: str
    # From this day (00:00 UTC) the token is refused; None: until its entry is removed.
    expires: date | None = None

    def __str__(self) -> str:
        until = f":{self.expires.isoformat()}" if self.expires else ""
        return f"{self.user}:{self.role}:{self.token_sha256}{until}"


def _role_error(role: str) -> str | None:
    return None if role in ROLES else f"role must be one of {', '.join(ROLES)}"


_FORMAT = EntryFormat("user", "role", "token", _role_error, may_expire=True)


def parse_entries(text: str) -> tuple[TokenEntry, ...]:
    """Parse `user:role:sha256[:YYYY-MM-DD],...`; ValueError names the first bad entry."""
    return tuple(
        TokenEntry(user, role, digest, expires)  # type: ignore[arg-type]
        for user, role, digest, expires in split_entries(text, _FORMAT)
    )


class TokenBook:
    """Who a bearer token belongs to."""

    def __init__(self, entries: tuple[TokenEntry, ...]) -> None:
        self._by_hash: Mapping[str, TokenEntry] = {entry.token_sha256: entry for entry in entries}

    def __len__(self) -> int:
        return len(self._by_hash)

    def users(self) -> dict[str, Role]:
        """Every known user and their role."""
        return {entry.user: entry.role for entry in self._by_hash.values()}

    def principal(self, token: str, clock: Callable[[], datetime]) -> Principal | None:
        """The token's user; None when the token is unknown or expired. The clock is read only
        for a token with an expiry (reading an injected clock may step it)."""
        digest = hash_token(token)
        for known, entry in self._by_hash.items():
            if hmac.compare_digest(known, digest):
                if entry.expires is not None and expired(entry.expires, clock()):
                    return None
                return Principal(entry.user, entry.role)
        return None
