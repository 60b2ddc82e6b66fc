"""scripts/check_pipeline.sh (`make validate`) runs its compose calls through COMPOSE.

A stand-in engine on PATH answers as compose would (partition tables, counts) and records every
call; a local HTTP server answers as Grafana's datasource health endpoint does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.stack.conftest import require
from tests.stack.stack_files import ROOT

SCRIPT = ROOT / "scripts" / "check_pipeline.sh"
FAKE_ENGINE = """#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$CALLS"
[[ $1 == compose ]] || exit 64
case "$2" in
    version) exit 0 ;;
    exec) printf 'PARTITION LEADER HIGH-WATERMARK\\n0 1 4\\n1 1 3\\n' ;;
    run) echo "${ROWS:-3}" ;;
    *) exit 64 ;;
esac
"""


class _HealthEndpoints(BaseHTTPRequestHandler):
    """Grafana's datasource health and the console's /admin/health, on one port."""

    def do_GET(self) -> None:
        ok = self.path in {"/api/datasources/uid/risingwave/health", "/admin/health"}
        body = json.dumps({"status": "OK" if ok else "ERROR"}, separators=(",", ":")).encode()
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def http_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HealthEndpoints)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _validate(tmp_path: Path, http_port: int, **extra: str) -> tuple[int, str, list[str]]:
    require(shutil.which("curl") is not None, "curl is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    engine = bin_dir / "fake-engine"
    engine.write_text(FAKE_ENGINE, encoding="utf-8")
    engine.chmod(0o755)
    calls = tmp_path / "calls"
    environment = {
        **os.environ,
        # Any docker call would fail: only COMPOSE may be used.
        "DOCKER_HOST": "unix:///nonexistent/docker.sock",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "COMPOSE": f"{engine} compose",
        "CALLS": str(calls),
        "GRAFANA_PORT": str(http_port),
        "CONSOLE_PORT": str(http_port),
        "GRAFANA_ADMIN_PASSWORD": "test-grafana-admin",
        "COMPOSE_PROFILES": "console",
        **extra,
    }
    result = subprocess.run(
        ["bash", str(SCRIPT)], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    recorded = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return result.returncode, result.stdout + result.stderr, recorded


def test_every_compose_call_goes_through_compose(tmp_path: Path, http_port: int) -> None:
    code, output, calls = _validate(tmp_path, http_port)

    assert code == 0, output
    assert output.rstrip().endswith("validate: all checks passed")
    assert "PASS  topic transactions is populated (7 messages)" in output
    assert "PASS  view mv_signals_per_minute is not empty (3 rows)" in output
    assert "PASS  Redpanda Console answers" in output
    assert calls[0] == "compose version"
    assert any(call.startswith("compose exec -T redpanda rpk topic describe") for call in calls)
    assert any(call.startswith("compose run --rm --no-deps -T --entrypoint psql") for call in calls)
    assert all(call.startswith("compose ") for call in calls)


def test_a_failing_check_fails_validate(tmp_path: Path, http_port: int) -> None:
    code, output, _ = _validate(tmp_path, http_port, ROWS="0")

    assert code == 1
    assert "FAIL  open fraud cases exist (0 rows)" in output
    assert "check(s) failed" in output


def test_a_compose_command_that_does_not_run_stops_it_with_advice(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=ROOT,
        env={**os.environ, "COMPOSE": str(tmp_path / "absent") + " compose"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "does not run" in result.stderr
    assert "make backtest" in result.stderr
