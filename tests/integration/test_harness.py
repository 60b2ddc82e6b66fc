"""The broker harness explains what is missing instead of failing obscurely (no broker needed)."""

from __future__ import annotations

from pathlib import Path

from tests.support.kafka_broker import missing_prerequisite


def test_missing_jars_name_the_make_target(tmp_path: Path) -> None:
    reason = missing_prerequisite(libs=tmp_path)

    assert reason is not None
    assert "make kafka-jars" in reason
