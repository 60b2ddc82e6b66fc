"""Opaque keyset cursors: the sort key of the last row served plus a fingerprint of the filters.

Pages are ordered by an immutable key (a case's opened_at and id, a decision's decided_at and
id), so rows written between two pages neither repeat nor push others out of reach.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping

from cases.errors import BadCursor

# Ours are ~120 characters; a longer one is not ours and is refused before it is parsed (a
# deeply nested one would otherwise end in a RecursionError).
MAX_CURSOR_CHARS = 512


def fingerprint(filters: Mapping[str, object]) -> str:
    text = json.dumps({key: str(value) for key, value in sorted(filters.items())}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def encode(key: tuple[str, str], filters: Mapping[str, object]) -> str:
    payload = json.dumps([key[0], key[1], fingerprint(filters)], separators=(",", ":"))
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
    if stamp != fingerprint(filters):
        raise BadCursor("cursor: it was issued for other filters; start again without it")
    return first, second
