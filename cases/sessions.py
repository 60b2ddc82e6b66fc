"""Page sign-ins and CSRF tokens.

The page's cookie holds a random session id, never the bearer token: a session expires after
`CASES_SESSION_HOURS` and signing out deletes it, so a copied cookie stops working. Sessions live
in the process (a restart signs everyone out of the page; API tokens are unaffected).

Every page form carries a CSRF token, HMAC(session id, "csrf"): a page on another origin cannot
read it. The sign-in form, which has no session yet, carries a random value that must equal a
cookie set with the form (double submit), so another site cannot sign a browser in as itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from cases.workflow import Principal

SESSION_COOKIE = "cases_session"
LOGIN_CSRF_COOKIE = "cases_login_csrf"
CSRF_FIELD = "csrf_token"


def csrf_token(session_id: str) -> str:
    return hmac.new(session_id.encode("utf-8"), b"csrf", hashlib.sha256).hexdigest()


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def same_secret(given: str | None, expected: str | None) -> bool:
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@dataclass(frozen=True)
class PageSession:
    principal: Principal
    expires_at: datetime


class SessionBook:
    """Signed-in page sessions by id; thread-safe (sync routes run in a thread pool)."""

    def __init__(self, lifetime: timedelta) -> None:
        self._lifetime = lifetime
        self._sessions: dict[str, PageSession] = {}
        self._lock = threading.Lock()

    def start(self, principal: Principal, now: datetime) -> str:
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            # Expired sessions go on every sign-in, so the book stays small without a sweeper.
            self._sessions = {
                key: value for key, value in self._sessions.items() if value.expires_at > now
            }
            self._sessions[session_id] = PageSession(principal, now + self._lifetime)
        return session_id

    def principal(self, session_id: str | None, now: datetime) -> Principal | None:
        if not session_id:
            return None
        with self._lock:
            found = self._sessions.get(session_id)
        if found is None or found.expires_at <= now:
            return None
        return found.principal

    def end(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._sessions.pop(session_id, None)
