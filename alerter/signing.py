"""Signed webhooks: every SIEM request carries an HMAC-SHA256 of its timestamp and body.

    X-Fraud-Timestamp: 1764842400
    X-Fraud-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>

The receiver recomputes the HMAC over the raw body bytes with the shared secret
(ALERTER_SIEM_SIGNING_SECRET), compares in constant time, and refuses a timestamp older than its
tolerance (a replayed request); docs/alerting.md shows the check. Each attempt is signed anew,
so a retry carries a fresh timestamp.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Fraud-Timestamp"
SIGNATURE_HEADER = "X-Fraud-Signature"
_VERSION = "v1="


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret, f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return _VERSION + digest.hexdigest()


def signed_headers(secret: bytes, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: bytes, headers: dict[str, str], body: bytes, now: float, tolerance_s: float = 300
) -> bool:
    """Whether `headers` sign `body` with `secret` within `tolerance_s` of `now` (epoch s)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    stamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not stamp.isdigit() or abs(now - int(stamp)) > tolerance_s:
        return False
    return hmac.compare_digest(given, signature(secret, int(stamp), body))
