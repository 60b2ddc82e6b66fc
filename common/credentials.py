"""Hashed credentials of the HTTP services: settings hold `name:grant:sha256(secret)` entries,
never a secret, and a command makes a secret and writes its entry into an env file.

Secrets are 32 random bytes, so a plain SHA-256 makes a leaked settings file useless (nothing to
brute-force) and costs microseconds per request, where a slow KDF would slow every request.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from common.runtime import EXIT_INVALID, EXIT_OK

_NAME = re.compile(r"^[a-z][a-z0-9._-]{0,63}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def sha256_hex(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class EntryFormat:
    """How a service words its entries: `user:role:sha256` of tokens, `client:scopes:sha256`
    of keys; `grant_error` says what is wrong with a grant (None when it is allowed)."""

    name: str
    grant: str
    secret: str
    grant_error: Callable[[str], str | None]


def split_entries(text: str, form: EntryFormat) -> list[tuple[str, str, str]]:
    """`name:grant:sha256,...` as (name, grant, sha256) triples; ValueError names the first bad
    entry by its number or name, never by its text: a secret pasted by mistake would be logged."""
    entries: list[tuple[str, str, str]] = []
    parts = [part.strip() for part in text.split(",")]
    for number, raw in enumerate((part for part in parts if part), start=1):
        name, grant, digest = ([*raw.split(":"), "", ""])[:3]
        if raw.count(":") != 2 or not _NAME.match(name):
            raise ValueError(
                f"entry {number}: expected {form.name}:{form.grant}:sha256 ({form.name}"
                f" a-z0-9._-, the {form.secret}'s hash, never the {form.secret})"
            )
        problem = form.grant_error(grant)
        if problem:
            raise ValueError(f"entry {name!r}: {problem}")
        if not _HEX.match(digest):
            raise ValueError(f"entry {name!r}: the hash must be 64 lowercase hex digits")
        if any(known == name for known, _, _ in entries):
            raise ValueError(f"entry {name!r}: {form.name} listed twice")
        if any(known == digest for _, _, known in entries):
            raise ValueError(f"entry {name!r}: shares its {form.secret} hash with another")
        entries.append((name, grant, digest))
    return entries


def write_entry(
    env_file: Path, variable: str, entry: str, parse: Callable[[str], Sequence[object]]
) -> None:
    """Put `entry` into the `variable=` line of `env_file`, replacing the same name's entry
    (entries print as `name:grant:sha256`; `parse` checks the line already there)."""
    name = entry.partition(":")[0]
    lines = env_file.read_text(encoding="utf-8").splitlines() if env_file.exists() else []
    for index, line in enumerate(lines):
        if line.startswith(f"{variable}="):
            kept = [
                str(old)
                for old in parse(line.partition("=")[2])
                if str(old).partition(":")[0] != name
            ]
            lines[index] = f"{variable}=" + ",".join([*kept, entry])
            break
    else:
        lines.append(f"{variable}={entry}")
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Issuer:
    """A service's command that makes a secret: its name in messages, the variable the entries
    live in, the secret's prefix and the parser of the variable's value."""

    service: str
    variable: str
    prefix: str
    parse: Callable[[str], Sequence[object]]

    def issue(self, name: str, grant: str, env_file: Path | None) -> int:
        """Print a new secret for `name` on stdout and its entry on stderr (or write the entry
        into `env_file`); a bad name or grant is one line and exit 2."""
        secret = new_secret(self.prefix)
        try:
            entry = str(self.parse(f"{name}:{grant}:{sha256_hex(secret)}")[0])
            if env_file:
                write_entry(env_file, self.variable, entry, self.parse)
        except ValueError as error:
            print(f"{self.service}: {error}", file=sys.stderr)
            return EXIT_INVALID
        print(secret)
        where = f"written to {env_file}" if env_file else f"add to {self.variable}"
        print(f"{name} ({grant}): {entry} {where}", file=sys.stderr)
        return EXIT_OK
