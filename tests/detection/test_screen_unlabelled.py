"""Screening recorded traffic that carries no ground truth, with a model: the screen shows
detections, cases and every rejection by reason, scores the file with the model, and shows no
figure that needs labels. Fields of the wrong JSON type are rejected by the views' own checks:
an integer account_id never becomes a case."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.replay import require_embedded_postgres

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
LABEL_TOPICS = {"fraud_labels", "lookalike_labels"}
BURST = 6  # above velocity_min_transactions within velocity_window_seconds: a case if accepted
BAD_AMOUNTS = 4


def _recording(path: Path) -> None:
    """Four minutes of producer traffic without its labels, plus defective transactions."""
    raw = path.with_suffix(".raw")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "producers",
            *("--sink", "jsonl", "--duration", "240", "--seed", "20261122"),
            *("--start", "2026-11-22T12:00:00Z", "--output", str(raw)),
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "FRAUD_RATE": "0.1"},
        check=True,
        timeout=300,
    )
    lines = raw.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert {record["topic"] for record in records} & LABEL_TOPICS  # there was truth to drop
    kept = [record for record in records if record["topic"] not in LABEL_TOPICS]
    model = next(record for record in kept if record["topic"] == "transactions")
    start = datetime.fromisoformat(model["timestamp"])
    for index in range(BURST + BAD_AMOUNTS):
        moment = (start + timedelta(seconds=5 * index)).isoformat()
        value = {**model["value"], "event_id": str(uuid.uuid4()), "event_time": moment}
        if index < BURST:
            value["account_id"] = 12345
        else:
            value["amount"] = "not a number"
        kept.append({"topic": "transactions", "timestamp": moment, "value": value})
    kept.sort(key=lambda record: datetime.fromisoformat(record["timestamp"]))
    path.write_text("".join(json.dumps(record) + "\n" for record in kept), encoding="utf-8")


def test_unlabelled_input_is_scored_and_reported_without_label_figures(
    registry_dir: Path, tmp_path: Path
) -> None:
    require_embedded_postgres()
    recording, report = tmp_path / "recorded.ndjson", tmp_path / "report.json"
    _recording(recording)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backtest",
            *("--input", str(recording), "--model", str(registry_dir), "--report", str(report)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "No fraud labels in the input: detections and cases only" in out
    for label_figure in ("precision", "recall", "without injected fraud", "Scenarios"):
        assert label_figure not in out
    assert "Open cases: " in out and "Detections per signal" in out
    # Rejections on screen, by reason, equal to the JSON report's.
    assert f"transactions.account_id: {BURST}" in out
    assert f"transactions: missing_id: {BURST}" in out
    assert f"transactions: invalid_amount: {BAD_AMOUNTS}" in out
    document = json.loads(report.read_text(encoding="utf-8"))
    rejected = {
        (row["topic"], row["rejection_reason"]): row["rejected_count"]
        for row in document["rejected"]
    }
    assert rejected[("transactions", "missing_id")] == BURST
    assert rejected[("transactions", "invalid_amount")] == BAD_AMOUNTS
    assert document["input"]["wrong_types"] == {
        "transactions.account_id": BURST,
        "transactions.amount": BAD_AMOUNTS,
    }
    # The integer account never reached a view: no case, no risk.
    assert not any(case["account_id"] == "12345" for case in document["top_cases"])
    assert "12345" not in {row["account_id"] for row in document["top_accounts"]}
    # The model scored every valid transaction of the file.
    assert document["labelled"] is False
    assert "model_quality" not in document and "scenarios" not in document
    assert document["model"]["version"] in out
    assert document["loaded_messages"]["ml_scores"] > 0
