"""Slow clients against the real process (`python -m decisions`), with raw sockets: headers that
trickle in (slowloris) are cut off, a half-sent body gets 408 and nothing is decided, and while
they hang every other request is answered."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from tests.decisions.conftest import KEY_SETTING, KEYS, auth, transaction
from tests.support.replay import replay_end
from tests.support.served import free_port

TIMEOUT_S = 2
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def process_url(fraud_replay, registry_dir) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DECISIONS_DATABASE_URL": fraud_replay.database.dsn,
        "DECISIONS_API_KEYS": KEY_SETTING,
        "DECISIONS_REGISTRY_DIR": str(registry_dir),
        "DECISIONS_PORT": str(port),
        "DECISIONS_PUBLISH": "false",
        "DECISIONS_LOOKUP_BUDGET_MS": "2000",
        "DECISIONS_HEADER_TIMEOUT_S": str(TIMEOUT_S),
        "DECISIONS_BODY_TIMEOUT_S": str(TIMEOUT_S),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "decisions"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the decision service did not start"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.communicate(timeout=30)


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection within `seconds`, answering nothing."""
    sock.settimeout(seconds)
    with sock:
        try:
            return sock.recv(65536) == b""
        except ConnectionResetError:  # closed while the client was still sending
            return True
        except TimeoutError:
            return False


def test_trickling_headers_are_cut_off(process_url, customers) -> None:
    port = _port(process_url)
    trickling = socket.create_connection(("127.0.0.1", port), timeout=10)
    trickling.sendall(b"POST /v1/decisions HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    silent = socket.create_connection(("127.0.0.1", port), timeout=10)
    for _ in range(3):  # a header line every half timeout keeps no connection alive
        time.sleep(TIMEOUT_S / 2)
        with contextlib.suppress(OSError):
            trickling.sendall(b"X-Slow: 1\r\n")
    body = transaction(customers[2], replay_end())
    answered = httpx.post(process_url + "/v1/decisions", json=body, headers=auth("switch"))
    assert answered.status_code == 200, answered.text
    assert _closed_within(trickling, TIMEOUT_S * 3)
    assert _closed_within(silent, TIMEOUT_S * 3)


def test_a_half_sent_body_gets_408_and_nothing_is_decided(process_url, customers) -> None:
    body = orjson.dumps(transaction(customers[3], replay_end()))
    head = (
        f"POST /v1/decisions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {KEYS['switch'][1]}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", _port(process_url)), timeout=TIMEOUT_S * 5) as sock:
        sock.sendall(head.encode("latin-1") + body[:10])
        assert sock.recv(65536).split(b"\r\n", 1)[0] == b"HTTP/1.1 408 Request Timeout"
    event_id = orjson.loads(body)["event_id"]
    missing = httpx.get(f"{process_url}/v1/decisions/{event_id}", headers=auth("ops"))
    assert missing.status_code == 404
