"""Limits before work: the ASGI layer every request passes before any route reads it.

In order: a NUL byte in the path or query is refused (400); a state-changing request from
another origin is refused (403: `Sec-Fetch-Site` cross-site or same-site, or an `Origin` other
than the service's own; Grafana and the Redpanda Console on other ports of the same host are the
same *site*, so SameSite cookies alone do not stop them); a request without a valid token or page
session is refused (401, or a redirect to the sign-in page) before its body is read; a body
longer than `CASES_MAX_BODY_BYTES` gets 413 without being read (declared length) or as soon as
it passes the cap (chunked); a body slower than `CASES_BODY_TIMEOUT_S` gets 408. Every answer
carries the security headers (no framing, a CSP with no script, nosniff, no referrer to other
origins, no-store).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from cases.security import TokenBook
from cases.sessions import SESSION_COOKIE, SessionBook

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

audit = logging.getLogger("cases.audit")

# Reachable without a token: the health check, the root redirect and the sign-in page.
PUBLIC = frozenset({("GET", "/health"), ("GET", "/"), ("GET", "/ui/login"), ("POST", "/ui/login")})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; form-action 'self';"
        b" frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # Not no-referrer: with it, chromium sends `Origin: null` on the page's own form posts.
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


class _Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


def _cookie(headers: dict[str, str], name: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class Guard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        tokens: TokenBook,
        sessions: SessionBook,
        clock: Callable[[], Any],
        max_body_bytes: int,
        body_timeout_s: float,
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.sessions = sessions
        self.clock = clock
        self.max_body_bytes = max_body_bytes
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_headers(send)
        headers = _headers(scope)
        method, path = scope["method"], scope["path"]
        try:
            self._check_input(scope)
            if method not in SAFE_METHODS:
                self._check_origin(scope, headers)
            who = self._check_identity(method, path, headers)
            length = self._declared_length(headers)
        except _Refused as refusal:
            audit.warning("refused %s %s from %s: %s", method, path, _client(scope), refusal.detail)
            await self._refuse(scope, send, refusal)
            return
        if who:
            audit.info("%s %s %s", who, method, path)
        if length is None and method in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        await self._with_body_limits(scope, receive, send)

    # Checks, in order ----------------------------------------------------------------------

    @staticmethod
    def _check_input(scope: Scope) -> None:
        raw = scope.get("raw_path") or scope["path"].encode("utf-8", "replace")
        for part in (raw, scope.get("query_string", b"")):
            if b"\x00" in part or b"%00" in part.lower():
                raise _Refused(400, "the request contains a NUL character")

    @staticmethod
    def _check_origin(scope: Scope, headers: dict[str, str]) -> None:
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
            raise _Refused(403, f"cross-origin request refused (Sec-Fetch-Site: {fetch_site})")
        origin = headers.get("origin")
        if origin is not None:
            own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
            if origin != own:
                raise _Refused(403, f"cross-origin request refused (Origin: {origin[:100]})")

    def _check_identity(self, method: str, path: str, headers: dict[str, str]) -> str | None:
        """The user a request is made as; _Refused (401) when a protected route has none."""
        if (method, path) in PUBLIC or (method == "HEAD" and ("GET", path) in PUBLIC):
            return None
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            who = self.tokens.principal(token.strip(), self.clock)
            if who is None:
                raise _Refused(401, "unknown, revoked or expired token")
            return f"{who.user}({who.role})"
        session = self.sessions.principal(_cookie(headers, SESSION_COOKIE), self.clock())
        if session is None:
            raise _Refused(401, "missing bearer token (Authorization: Bearer <token>)")
        return f"{session.user}({session.role})"

    def _declared_length(self, headers: dict[str, str]) -> int | None:
        declared = headers.get("content-length")
        if declared is None:
            return None
        if not declared.isdigit():
            raise _Refused(400, "Content-Length: not a number")
        if int(declared) > self.max_body_bytes:
            raise _Refused(413, f"the body is larger than {self.max_body_bytes} bytes")
        return int(declared)

    # Body limits ---------------------------------------------------------------------------

    async def _with_body_limits(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        body_done = False
        refusal: _Refused | None = None
        started = False
        deadline = time.monotonic() + self.body_timeout_s

        async def limited_receive() -> Message:
            nonlocal received, body_done, refusal
            if body_done or refusal is not None:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), deadline - time.monotonic())
            except TimeoutError:
                refusal = _Refused(408, f"the body did not arrive within {self.body_timeout_s} s")
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    refusal = _Refused(413, f"the body is larger than {self.max_body_bytes} bytes")
                    return {"type": "http.disconnect"}
                body_done = not message.get("more_body", False)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refusal is not None:
                return  # the app's answer to a cut body is replaced by the refusal below
            started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if refusal is None:
                raise
        if refusal is not None and not started:
            audit.warning(
                "refused %s %s from %s: %s",
                scope["method"],
                scope["path"],
                _client(scope),
                refusal.detail,
            )
            await self._refuse(scope, send, refusal)

    # Answers -------------------------------------------------------------------------------

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        return send_with_headers

    @staticmethod
    async def _refuse(scope: Scope, send: Send, refusal: _Refused) -> None:
        if refusal.status == 401 and scope["path"].startswith("/ui/"):
            headers = [(b"location", b"/ui/login"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 303, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = json.dumps({"detail": refusal.detail}).encode("utf-8")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"connection", b"close"),
        ]
        if refusal.status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "unknown"
