"""`make backtest` as a user runs it: the CLI prints its tables and writes the REPORT contract."""

import json
import os
import subprocess
import sys
from pathlib import Path

from producers.settings import DENSE_FLAT_ENV

ROOT = Path(__file__).resolve().parents[2]
SIGNAL_KEYS = {"signal", "injected", "detected", "precision", "recall", "median_time_to_detect_s"}


def test_a_clean_replay_through_the_cli_reports_nothing_critical(
    embedded_postgres: None, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backtest",
            *("--fraud-rate", "0", "--minutes", "5", "--world", "clean"),
            *("--seed", "3", "--report", str(report)),
        ],
        cwd=ROOT,
        # The clean world: honest look-alikes of the realistic one may open cases. Every
        # progress update printed (no interval), so the lines do not depend on machine speed.
        # The dense flat stream, as the environment: a small pool, thousands of events in 5 min.
        env={**os.environ, **DENSE_FLAT_ENV, "WORLD": "clean", "PROGRESS_INTERVAL_S": "0"},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Open cases: 0" in result.stdout
    # Progress of each long step on stderr, with an ETA, and one closing wall time.
    progress = result.stderr.splitlines()
    for step in ("generate and load", "dbt build"):
        assert f"{step}: started" in "\n".join(progress)
        assert any(line.startswith(f"{step}: done in ") for line in progress)
    assert any(line.startswith("dbt build: ") and ", ETA " in line for line in progress)
    assert any(line.startswith("generate and load: ") and ", ETA " in line for line in progress)
    assert result.stdout.rstrip().splitlines()[-1].startswith("Done in ")
    document = json.loads(report.read_text())
    assert document.keys() >= {"events", "elapsed_s", "signals", "critical_accounts"}
    assert document.keys() >= {"critical_accounts_without_fraud", "open_cases"}
    assert document["settings"]["world"] == "clean"
    assert document["alerts_per_1000_transactions"]["cases_per_1000_transactions"] == 0
    assert document["lookalike_kinds"] == []
    assert document["events"] > 5000
    assert document["critical_accounts"] == 0
    assert document["open_cases"] == 0
    assert len(document["signals"]) == 8
    for signal in document["signals"]:
        assert signal.keys() >= SIGNAL_KEYS
        assert signal["detected"] == 0


def test_an_unknown_world_stops_before_any_replay() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backtest", "--world", "dreamland"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("WORLD: ") and "'dreamland'" in line
