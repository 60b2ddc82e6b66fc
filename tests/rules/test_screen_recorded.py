"""Screening recorded traffic: a producer NDJSON file and the same records as `rpk topic consume`
prints them give the same report through `python -m backtest --input`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from producers.settings import DENSE_FLAT_ENV
from tests.rules.rpk import rpk_from_producer

ROOT = Path(__file__).resolve().parents[2]
# Timing, the file name and line numbers differ between the two runs; nothing else may.
VARYING = {"elapsed_s", "events_per_s", "load_s", "dbt_s", "generate_s", "wall_s"}


def _screen(path: Path, report: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "backtest", "--input", str(path), "--report", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Rules: v1" in result.stdout
    assert f"Input: {path}: " in result.stdout
    document = json.loads(report.read_text(encoding="utf-8"))
    document["input"].pop("file")
    # Line numbers differ (rpk pretty-prints a record over several lines); the reason may not.
    (example,) = document["input"].pop("bad_examples")
    assert example.endswith(": not JSON")
    return {key: value for key, value in document.items() if key not in VARYING}


def test_producer_and_rpk_recordings_give_the_same_report(
    embedded_postgres: None, tmp_path: Path
) -> None:
    producer = tmp_path / "producer.ndjson"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "producers",
            *("--sink", "jsonl", "--duration", "240", "--seed", "20261122"),
            *("--start", "2026-11-22T12:00:00Z", "--output", str(producer)),
        ],
        cwd=ROOT,
        # The dense flat stream, as the environment: a small pool, fraud within 4 minutes.
        env={"PATH": "/usr/bin:/bin", **DENSE_FLAT_ENV, "FRAUD_RATE": "0.1"},
        check=True,
        timeout=300,
    )
    rpk = tmp_path / "rpk.json"
    rpk.write_text(rpk_from_producer(producer.read_bytes()), encoding="utf-8")
    # One bad record in each: counted and reported, the rest screened the same.
    with producer.open("a", encoding="utf-8") as out:
        out.write("not json\n")
    with rpk.open("a", encoding="utf-8") as out:
        out.write("not json\n")

    from_producer = _screen(producer, tmp_path / "producer.json")
    from_rpk = _screen(rpk, tmp_path / "rpk.json")
    assert from_producer == from_rpk
    assert from_producer["input"]["bad_by_reason"] == {"not JSON": 1}
    records = from_producer["input"]["records"] - 1
    assert from_producer["input"]["loaded"] == from_producer["events"] == records > 5000
    assert sum(row["detections"] for row in from_producer["signals"]) > 0
