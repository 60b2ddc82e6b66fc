"""A real HTTP webhook receiver on 127.0.0.1 for the alerter tests.

Replies are scripted per path (consumed in order, then 200); every request is recorded with the
server's own monotonic arrival time, so rate assertions use what the receiver saw, and whether
its signature verifies (alerter/signing.py) with the server's secret, as a SIEM would check it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast

from alerter.signing import verify

# The alerter tests' SIEM signing secret (ALERTER_SIEM_SIGNING_SECRET).
SIGNING_SECRET = "test-siem-signing-secret-0123456789abcdef"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # hold the answer back (to provoke client timeouts)


@dataclass(frozen=True)
class Received:
    at: float
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int  # what the server answered
    signed: bool  # the signature headers verify over the raw body with the server's secret


class WebhookServer:
    def __init__(self, secret: bytes = SIGNING_SECRET.encode()) -> None:
        self._secret = secret
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._always: dict[str, Reply] = {}
        self._received: list[Received] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                arrived = time.monotonic()  # before the body: what the sender's pacing controls
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                body = json.loads(raw)
                reply = server._reply_for(self.path)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                headers = dict(self.headers.items())
                signed = verify(server._secret, headers, raw, time.time())
                record = Received(arrived, self.path, headers, body, reply.status, signed)
                with server._lock:
                    server._received.append(record)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the client gave up (timeout test)
                    return

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def _reply_for(self, path: str) -> Reply:
        with self._lock:
            if self._scripts[path]:
                return self._scripts[path].popleft()
            return self._always.get(path, Reply())

    def url(self, path: str) -> str:
        host, port = cast(tuple[str, int], self._http.server_address[:2])
        return f"http://{host}:{port}{path}"

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._scripts[path].extend(replies)

    def always(self, path: str, reply: Reply) -> None:
        with self._lock:
            self._always[path] = reply

    def requests(self, path: str) -> list[Received]:
        with self._lock:
            return [record for record in self._received if record.path == path]

    def __enter__(self) -> WebhookServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._http.shutdown()
        self._http.server_close()


_SLACK_SINGLE = re.compile(r"alert (\S+)$")
_SLACK_DIGEST_LINE = re.compile(r"^• \*(\w+)\* `([^`]+)`")


def slack_alert_ids(body: dict[str, Any]) -> list[str]:
    """The alert ids a Slack message carries, read back from its blocks."""
    header = body["blocks"][0]["text"]["text"]
    if header.startswith(":card_index:"):
        lines = [
            line for block in body["blocks"][2:] for line in block["text"]["text"].splitlines()
        ]
        return [f"{match[2]}:{match[1]}" for match in map(_SLACK_DIGEST_LINE.match, lines) if match]
    context = body["blocks"][-1]["elements"][0]["text"]
    match = _SLACK_SINGLE.search(context)
    return [match[1]] if match else []


def siem_alert_ids(body: dict[str, Any]) -> list[str]:
    if body["event_type"] == "fraud_case_digest":
        return [alert["alert_id"] for alert in body["alerts"]]
    return [body["alert_id"]]


def delivered_exactly(server: WebhookServer, path: str, expected: set[str]) -> Callable[[], bool]:
    """A `wait_until` condition: the alert ids delivered to `path` are `expected`."""
    return lambda: set(delivered_ids(server, path)) == expected


def delivered_ids(server: WebhookServer, path: str) -> list[str]:
    """Alert ids of every successfully answered request to `path`, repeats included."""
    read = slack_alert_ids if path.startswith("/slack") else siem_alert_ids
    return [
        alert_id
        for record in server.requests(path)
        if record.status < 300
        for alert_id in read(record.body)
    ]
