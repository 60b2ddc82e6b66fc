import io
import json
import subprocess
import sys
from pathlib import Path

from producers import jsonl
from producers.generator import generate
from producers.settings import DENSE_FLAT_ENV
from tests.producers.conftest import START, make_settings

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "producers", *args],
        # The dense flat stream make_settings gives: a small pool starts at once.
        env={"PATH": "", **DENSE_FLAT_ENV, **(env or {})},
        capture_output=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )


def test_jsonl_sink_writes_the_generators_records_to_stdout() -> None:
    result = _run(
        "--sink", "jsonl", "--events", "800", "--seed", "5", "--start", "2026-11-22T00:00:00Z"
    )
    assert result.returncode == 0, result.stderr
    expected = io.BytesIO()
    jsonl.write(generate(make_settings(seed=5), start=START, events=800), expected)
    assert result.stdout == expected.getvalue()
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 800
    assert {line["topic"] for line in lines} >= {"kyc_profiles", "transactions", "logins"}
    assert all(set(line) == {"topic", "key", "timestamp", "value"} for line in lines)


def test_duration_limits_simulated_time_and_output_goes_to_a_file(tmp_path: Path) -> None:
    output = tmp_path / "events.jsonl"
    result = _run(
        "--duration",
        "30",
        "--output",
        str(output),
        "--start",
        "2026-11-22T00:00:00Z",
        env={"SINK": "jsonl"},
    )
    assert result.returncode == 0, result.stderr
    stamps = [json.loads(line)["timestamp"] for line in output.read_text().splitlines()]
    assert stamps[0] == "2026-11-22T00:00:00.000Z"
    assert max(stamps) < "2026-11-22T00:00:30"
    assert len(stamps) > 500


def test_non_positive_limits_are_rejected_with_exit_2() -> None:
    result = _run("--sink", "jsonl", "--events", "0")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "invalid setting: --events: must be greater than 0"


def test_empty_start_time_in_the_environment_means_now() -> None:
    result = _run("--sink", "jsonl", "--events", "1", env={"START_TIME": ""})
    assert result.returncode == 0, result.stderr
