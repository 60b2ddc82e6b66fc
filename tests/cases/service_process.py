"""The case service as a real process (`python -m cases`) on a loopback port, for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import httpx

from tests.cases.conftest import TOKEN_SETTING


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_service(dsn: str, port: int, **settings: str) -> subprocess.Popen[str]:
    """Start the service; `settings` are extra CASES_* variables (name without the prefix).
    Without `journal_path`, the journal is a new file of its own."""
    env = {
        **os.environ,
        "CASES_DATABASE_URL": dsn,
        "CASES_TOKENS": TOKEN_SETTING,
        "CASES_PORT": str(port),
        "CASES_JOURNAL_PATH": os.path.join(tempfile.mkdtemp(prefix="cases-"), "journal.sqlite"),
        # As in conftest's case_settings: a page action answers once confirmed.
        "CASES_PAGE_WAIT_S": "30",
        **{f"CASES_{name.upper()}": value for name, value in settings.items()},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cases"], env=env, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    assert process.stderr is not None
    raise AssertionError(f"the case service did not start: {process.stderr.read()}")


def stop_service(process: subprocess.Popen[str]) -> str:
    """SIGTERM, as `docker stop` sends: uvicorn finishes in-flight requests, then re-raises it.
    Returns the process's log."""
    process.terminate()
    assert process.wait(timeout=20) in {0, -signal.SIGTERM}
    assert process.stderr is not None
    log = process.stderr.read()
    assert "Finished server process" in log
    return log
