"""The heartbeat: the loop touches a file at most every interval; the healthcheck reads its age."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from common.heartbeat import HEARTBEAT_ENV, Heartbeat

ROOT = Path(__file__).resolve().parents[2]


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_file_is_touched_at_most_every_interval(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    clock = Ticks()
    heartbeat = Heartbeat(path, interval_s=5.0, clock=clock)
    heartbeat.beat()
    assert path.exists()
    os.utime(path, (0, 0))  # as if long ago
    clock.now = 4.9
    heartbeat.beat()
    assert path.stat().st_mtime == 0  # within the interval: not touched again
    clock.now = 5.0
    heartbeat.beat()
    assert time.time() - path.stat().st_mtime < 60


def test_without_a_file_there_is_no_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HEARTBEAT_ENV, raising=False)
    heartbeat = Heartbeat.from_env()
    assert heartbeat.path is None
    heartbeat.beat()  # nothing to touch, nothing raised


def test_an_unwritable_file_is_logged_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Heartbeat(tmp_path / "missing-dir" / "heartbeat").beat()
    assert "cannot touch the heartbeat file" in caplog.text


def _check(path: Path | None, max_age: str = "30") -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != HEARTBEAT_ENV}
    if path is not None:
        env[HEARTBEAT_ENV] = str(path)
    return subprocess.run(
        [sys.executable, "-m", "common.heartbeat", max_age],
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_healthcheck_passes_on_a_fresh_beat_only(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    missing = _check(path)
    assert (missing.returncode, missing.stderr.strip()) == (1, f"no heartbeat yet at {path}")
    Heartbeat(path).beat()
    assert _check(path).returncode == 0
    stale = time.time() - 100
    os.utime(path, (stale, stale))
    result = _check(path)
    assert result.returncode == 1
    assert re.fullmatch(r"loop stalled: last beat 10\d s ago \(max 30 s\)\n", result.stderr)
    assert _check(None).returncode == 1
