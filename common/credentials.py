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
from datetime import UTC, date, datetime, timedelta
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
    # Whether an entry may end in `:YYYY-MM-DD`, the day (UTC) from which its secret is refused.
    may_expire: bool = False


def expired(expires: date | None, now: datetime) -> bool:
    """Whether a secret that expires on `expires` (00:00 UTC that day) is expired at `now`."""
    return expires is not None and now >= datetime.combine(expires, datetime.min.time(), UTC)


def split_entries(text: str, form: EntryFormat) -> list[tuple[str, str, str, date | None]]:
    """`name:grant:sha256[:YYYY-MM-DD],...` as (name, grant, sha256, expiry date) tuples;
    ValueError names the first bad entry by its number or name, never by its text: a secret
    pasted by mistake would be logged."""
    entries: list[tuple[str, str, str, date | None]] = []
    parts = [part.strip() for part in text.split(",")]
    allowed = {2, 3} if form.may_expire else {2}
    for number, raw in enumerate((part for part in parts if part), start=1):
        name, grant, digest, until = ([*raw.split(":"), "", "", ""])[:4]
        if raw.count(":") not in allowed or not _NAME.match(name):
            expiry = "[:YYYY-MM-DD]" if form.may_expire else ""
            raise ValueError(
                f"entry {number}: expected {form.name}:{form.grant}:sha256{expiry} ({form.name}"
                f" a-z0-9._-, the {form.secret}'s hash, never the {form.secret})"
            )
        problem = form.grant_error(grant)
        if problem:
            raise ValueError(f"entry {name!r}: {problem}")
        if not _HEX.match(digest):
            raise ValueError(f"entry {name!r}: the hash must be 64 lowercase hex digits")
        try:
            expires = date.fromisoformat(until) if until else None
        except ValueError:
            raise ValueError(f"entry {name!r}: the expiry must be a date, YYYY-MM-DD") from None
        if any(known == name for known, _, _, _ in entries):
            raise ValueError(f"entry {name!r}: {form.name} listed twice")
        if any(known == digest for _, _, known, _ in entries):
            raise ValueError(f"entry {name!r}: shares its {form.secret} hash with another")
        entries.append((name, grant, digest, expires))
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

    def issue(
        self, name: str, grant: str, env_file: Path | None, valid_days: int | None = None
    ) -> int:
        """Print a new secret for `name` on stdout and its entry on stderr (or write the entry
        into `env_file`), valid for `valid_days` from today (UTC) when given; a bad name or
        grant is one line and exit 2."""
        secret = new_secret(self.prefix)
        until = ""
        if valid_days is not None:
            until = ":" + (datetime.now(UTC).date() + timedelta(days=valid_days)).isoformat()
        try:
            entry = str(self.parse(f"{name}:{grant}:{sha256_hex(secret)}{until}")[0])
            if env_file:
                write_entry(env_file, self.variable, entry, self.parse)
        except ValueError as error:
            print(f"{self.service}: {error}", file=sys.stderr)
            return EXIT_INVALID
        print(secret)
        where = f"written to {env_file}" if env_file else f"add to {self.variable}"
        print(f"{name} ({grant}): {entry} {where}", file=sys.stderr)
        return EXIT_OK
