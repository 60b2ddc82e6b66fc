"""Slow clients against the real process (`python -m decisions`), with raw sockets: headers that
trickle in (slowloris) are cut off, a half-sent body gets 408 and nothing is decided, and while
they hang every other request is answered."""

from __future__ import annotations

import contextlib
import os
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
from tests.support.slow_clients import closed_within, send_raw, slowloris, status_line

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


def test_trickling_headers_are_cut_off(process_url, customers) -> None:
    port = _port(process_url)
    trickling, silent = slowloris(port, "POST /v1/decisions HTTP/1.1", TIMEOUT_S)
    body = transaction(customers[2], replay_end())
    answered = httpx.post(process_url + "/v1/decisions", json=body, headers=auth("switch"))
    assert answered.status_code == 200, answered.text
    assert closed_within(trickling, TIMEOUT_S * 3)
    assert closed_within(silent, TIMEOUT_S * 3)


def test_a_half_sent_body_gets_408_and_nothing_is_decided(process_url, customers) -> None:
    body = orjson.dumps(transaction(customers[3], replay_end()))
    head = (
        f"POST /v1/decisions HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n"
        f"Authorization: Bearer {KEYS['switch'][1]}\nContent-Length: {len(body)}\n"
    )
    stalled = send_raw(_port(process_url), head, body[:10], timeout=TIMEOUT_S * 5)
    assert status_line(stalled) == "HTTP/1.1 408 Request Timeout"
    event_id = orjson.loads(body)["event_id"]
    missing = httpx.get(f"{process_url}/v1/decisions/{event_id}", headers=auth("ops"))
    assert missing.status_code == 404
