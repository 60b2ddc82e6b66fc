"""API keys of machine clients: settings hold `client:scope+scope:sha256(key)` entries, never a key.

Keys are 32 random bytes, so a plain SHA-256 makes a leaked settings file useless (nothing to
brute-force) and costs microseconds per request, where a slow KDF would cost the latency budget.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal

KEY_PREFIX = "dsk_"
# decide: POST /v1/decisions; read: GET /v1/decisions/{event_id} (a decision already made).
Scope = Literal["decide", "read"]
SCOPES: tuple[Scope, ...] = ("decide", "read")
_CLIENT = re.compile(r"^[a-z][a-z0-9._-]{0,63}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


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


def parse_entries(text: str) -> tuple[KeyEntry, ...]:
    """Parse `client:scope+scope:sha256,...`; ValueError names the first bad entry."""
    entries: list[KeyEntry] = []
    for raw in (part.strip() for part in text.split(",")):
        if not raw:
            continue
        client, scopes, digest = ([*raw.split(":"), "", ""])[:3]
        if raw.count(":") != 2 or not _CLIENT.match(client):
            raise ValueError(
                f"entry {client or raw[:20]!r}: expected client:scopes:sha256 (client a-z0-9._-)"
            )
        wanted = [scope for scope in scopes.split("+") if scope]
        if not wanted or any(scope not in SCOPES for scope in wanted):
            raise ValueError(
                f"entry {client!r}: scopes must be one or more of {', '.join(SCOPES)} joined by +"
            )
        if not _HEX.match(digest):
            raise ValueError(f"entry {client!r}: the hash must be 64 lowercase hex digits")
        if any(entry.client == client for entry in entries):
            raise ValueError(f"entry {client!r}: client listed twice")
        entries.append(KeyEntry(client, frozenset(wanted), digest))  # type: ignore[arg-type]
    return tuple(entries)


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
