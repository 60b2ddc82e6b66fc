"""Opaque keyset cursors: the sort key of the last row served plus a fingerprint of the filters.

Pages are ordered by an immutable key (a case's opened_at and id, a decision's decided_at and
id), so rows written between two pages neither repeat nor push others out of reach.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping

from cases.errors import BadCursor

# Ours are ~120 characters; a longer one is not ours and is refused before it is parsed (a
# deeply nested one would otherwise end in a RecursionError).
MAX_CURSOR_CHARS = 512


# Cursors are signed with a key of this process: one cannot be forged or edited, and one from
# before a restart is refused ("start again without it").
_KEY = secrets.token_bytes(32)


def fingerprint(filters: Mapping[str, object], key: tuple[str, str] = ("", "")) -> str:
    """HMAC of the filters and the position: binds a cursor to both."""
    text = json.dumps(
        [{name: str(value) for name, value in sorted(filters.items())}, list(key)], sort_keys=True
    )
    return hmac.new(_KEY, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def encode(key: tuple[str, str], filters: Mapping[str, object]) -> str:
    payload = json.dumps([key[0], key[1], fingerprint(filters, key)], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode(cursor: str, filters: Mapping[str, object]) -> tuple[str, str]:
    """The key in `cursor`; BadCursor when it is not one of ours or was made for other filters."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise BadCursor("cursor: not a cursor this service issued")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        first, second, stamp = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
        raise BadCursor("cursor: not a cursor this service issued") from error
    if not all(isinstance(part, str) and "\x00" not in part for part in (first, second, stamp)):
        raise BadCursor("cursor: not a cursor this service issued")
    if not hmac.compare_digest(stamp, fingerprint(filters, (first, second))):
        raise BadCursor(
            "cursor: it was issued for other filters or before a restart; start again without it"
        )
    return first, second
