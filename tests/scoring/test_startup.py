"""Startup of the real entry point without a usable model: one line and exit 2, before any
connection (no broker is needed to see it), never a silent score of zero."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.model import BOOSTER_FILE, CARD_FILE, FOREST_FILE, sha256_of
from scoring.registry import REGISTRY_FILE, Registry
from tests.support.scoring import synthetic_model

ROOT = Path(__file__).resolve().parents[2]


def start(registry_dir: Path, **env: str) -> str:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("SCORING_")}
    result = subprocess.run(
        [sys.executable, "-m", "scoring"],
        env={
            **clean,
            "PYTHONPATH": str(ROOT),
            "SCORING_REGISTRY_DIR": str(registry_dir),
            # Unreachable on purpose: a model check that passed would wait for it, then exit 1.
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
            "SCORING_BROKER_WAIT_S": "1",
            **env,
        },
        cwd=registry_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    return lines[0]


def rerecord(registry: Registry, version: str = "v0001") -> None:
    """Record the files' current digests, as a training run that wrote them would: the checks
    behind the checksum (corrupt file, schema, scikit-learn) are what is tested then."""
    path = registry.root / REGISTRY_FILE
    state = json.loads(path.read_text())
    state["checksums"][version] = {
        name: sha256_of(registry.root / version / name) for name in state["checksums"][version]
    }
    path.write_text(json.dumps(state))


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    registry = Registry(tmp_path / "models")
    registry.add(synthetic_model(), role="champion")
    return registry


def test_no_model(tmp_path: Path) -> None:
    line = start(tmp_path / "empty")
    assert (
        line
        == f"scoring: unusable model: no champion model in {tmp_path / 'empty'}: run `make train`"
    )


def test_corrupt_booster_file(registry: Registry) -> None:
    (registry.root / "v0001" / BOOSTER_FILE).write_bytes(b"\x00garbage")
    rerecord(registry)
    line = start(registry.root)
    assert (
        line
        == f"scoring: unusable model: corrupt model file {registry.root / 'v0001' / BOOSTER_FILE}"
    )


def test_corrupt_forest_file(registry: Registry) -> None:
    (registry.root / "v0001" / FOREST_FILE).write_bytes(b"not a pickle")
    rerecord(registry)
    line = start(registry.root)
    assert (
        line
        == f"scoring: unusable model: corrupt model file {registry.root / 'v0001' / FOREST_FILE}"
    )


def test_feature_schema_mismatch(registry: Registry) -> None:
    card_path = registry.root / "v0001" / CARD_FILE
    card = json.loads(card_path.read_text())
    card["feature_schema_hash"] = "0123456789abcdef"
    card_path.write_text(json.dumps(card))
    rerecord(registry)
    line = start(registry.root)
    assert line.startswith(f"scoring: unusable model: feature schema mismatch in {card_path}:")
    assert "model 0123456789abcdef" in line


def test_another_scikit_learn(registry: Registry) -> None:
    card_path = registry.root / "v0001" / CARD_FILE
    card = json.loads(card_path.read_text())
    card["sklearn_version"] = "0.1.0"
    card_path.write_text(json.dumps(card))
    rerecord(registry)
    line = start(registry.root)
    assert "saved by scikit-learn 0.1.0" in line


def test_a_calibration_that_is_not_monotone_is_refused(registry: Registry) -> None:
    card_path = registry.root / "v0001" / CARD_FILE
    card = json.loads(card_path.read_text())
    card["calibration"] = {"method": "isotonic", "x": [0.2, 0.1], "y": [0.0, 1.0]}
    card_path.write_text(json.dumps(card))
    rerecord(registry)
    line = start(registry.root)
    assert line == f"scoring: unusable model: corrupt model card {card_path}: bad calibration"


def test_a_valid_model_gets_past_the_checks(registry: Registry) -> None:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("SCORING_")}
    result = subprocess.run(
        [sys.executable, "-m", "scoring"],
        env={
            **clean,
            "PYTHONPATH": str(ROOT),
            "SCORING_REGISTRY_DIR": str(registry.root),
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
            "SCORING_BROKER_WAIT_S": "1",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("scoring: Kafka unavailable:")


def test_invalid_setting(tmp_path: Path) -> None:
    line = start(tmp_path, SCORING_BATCH_MAX_RECORDS="0")
    assert line.startswith("scoring: invalid setting: SCORING_BATCH_MAX_RECORDS:")


class _Payload:
    """A pickle that runs code when loaded: it creates the file named by `marker`."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_swapped_forest_file_is_refused_before_it_is_unpickled(
    registry: Registry, tmp_path: Path
) -> None:
    import joblib

    marker = tmp_path / "code-ran"
    forest_path = registry.root / "v0001" / FOREST_FILE
    joblib.dump(_Payload(marker), forest_path)
    line = start(registry.root)
    assert line == (
        f"scoring: unusable model: {forest_path} does not match the checksum recorded at"
        " training: refusing to load it"
    )
    assert not marker.exists(), "the swapped pickle ran"


def test_a_version_without_recorded_checksums_is_refused(registry: Registry) -> None:
    path = registry.root / REGISTRY_FILE
    state = json.loads(path.read_text())
    del state["checksums"]
    path.write_text(json.dumps(state))
    line = start(registry.root)
    assert line == (
        f"scoring: unusable model: no checksums recorded for {registry.root / 'v0001'} in"
        f" {REGISTRY_FILE}: retrain with `make train`"
    )
