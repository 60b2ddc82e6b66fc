"""API keys of machine clients: settings hold `client:scope+scope:sha256(key)` entries, never a
key (common/credentials.py: why a plain SHA-256, the entries' checks)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Literal

from common.credentials import EntryFormat, sha256_hex, split_entries

KEY_PREFIX = "dsk_"
# decide: POST /v1/decisions; read: GET /v1/decisions/{event_id} (a decision already made).
Scope = Literal["decide", "read"]
SCOPES: tuple[Scope, ...] = ("decide", "read")


def hash_key(key: str) -> str:
    return sha256_hex(key)


@dataclass(frozen=True)
class KeyEntry:
    client: str
    scopes: frozenset[Scope]
    key_sha256: str

    def __str__(self) -> str:
        scopes = "+".join(scope for scope in SCOPES if scope in self.scopes)
        return f"{self.client}:{scopes}:{self.key_sha256}"


@dataclass(frozen=True)
class Client:
    name: str
    scopes: frozenset[Scope]


def _scopes_error(scopes: str) -> str | None:
    wanted = [scope for scope in scopes.split("+") if scope]
    if not wanted or any(scope not in SCOPES for scope in wanted):
        return f"scopes must be one or more of {', '.join(SCOPES)} joined by +"
    return None


_FORMAT = EntryFormat("client", "scopes", "key", _scopes_error)


def parse_entries(text: str) -> tuple[KeyEntry, ...]:
    """Parse `client:scope+scope:sha256,...`; ValueError names the first bad entry."""
    return tuple(
        KeyEntry(client, frozenset(scope for scope in scopes.split("+") if scope), digest)  # type: ignore[misc]
        for client, scopes, digest, _ in split_entries(text, _FORMAT)
    )


class KeyBook:
    """Which client an API key belongs to."""

    def __init__(self, entries: tuple[KeyEntry, ...]) -> None:
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    def client(self, key: str) -> Client | None:
        digest = hash_key(key)
        found = None
        # Compare with every entry, in constant time each: no early exit tells a key's position.
        for entry in self._entries:
            if hmac.compare_digest(entry.key_sha256, digest):
                found = Client(entry.client, entry.scopes)
        return found
