"""The robustness section of docs/detection_quality.md is current: its first world under its first
rules-only rule set and under its rules + model set, replayed afresh (the plan's minutes, a few
minutes each), gives the committed rows, and its plot is drawn from the committed table.

Rules alone: integer counts over the same seed, so the row must match exactly but for rounding
(ROW_TOLERANCE). Rules + model: within the tolerance the doc states (backtest/quality_doc.py).
The FRAUD_RATE=0 proof is tests/detection/test_zero_fraud.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from backtest.quality_doc import (
    DOC_PATH,
    IMAGE_DIR,
    MODEL_ABSOLUTE_TOLERANCE,
    MODEL_RELATIVE_TOLERANCE,
    split_robustness,
)
from backtest.robustness import COLUMNS, PLOT, RuleChoice, load_plan, measure, plot
from producers.settings import Settings
from scoring.model import Model
from scoring.worlds import WORLDS_FILE

ROOT = Path(__file__).resolve().parents[2]
ROW_TOLERANCE = 0.001


def committed_rows() -> list[dict[str, str]]:
    section = split_robustness((ROOT / DOC_PATH).read_text(encoding="utf-8"))[1]
    header = "| " + " | ".join(COLUMNS) + " |"
    assert header in section, "run `make robustness`"
    table = section.split(header, 1)[1].split("\n\n", 1)[0]
    return [
        dict(zip(COLUMNS, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for line in table.strip().splitlines()[1:]
    ]


def test_the_committed_table_has_every_world_and_rule_set() -> None:
    plan = load_plan()
    rows = {(row["world"], row["rule_set"]) for row in committed_rows()}
    assert rows == {(name, choice.label) for name, _ in plan.worlds for choice in plan.rule_sets}


def test_the_model_is_never_measured_on_a_world_it_learned() -> None:
    # `make robustness` trains its champion on scoring/worlds.yml: every world there (train,
    # calibrate, held out) is seeded apart from the robustness worlds.
    learned = yaml.safe_load(WORLDS_FILE.read_text(encoding="utf-8"))
    learned_seeds = {world["seed"] for worlds in learned.values() for world in worlds}
    measured_seeds = {
        values.get("seed", Settings.model_fields["seed"].default)
        for _, values in load_plan().worlds
    }
    assert learned_seeds and not learned_seeds & measured_seeds


def test_the_table_names_what_slips_through() -> None:
    section = split_robustness((ROOT / DOC_PATH).read_text(encoding="utf-8"))[1]
    plan = load_plan()
    header = "| world | scenario | instances | " + " | ".join(
        f"recall {choice.label}" for choice in plan.rule_sets
    )
    assert header in section, "run `make robustness`"


def _fresh(choice: RuleChoice, model: Model | None, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    plan = load_plan()
    name, values = plan.worlds[0]
    settings = Settings(_env_file=None, sink="jsonl", **values)
    return name, measure(settings, plan.minutes, choice, model, tmp_path)


def _assert_row(
    name: str, label: str, fresh: dict[str, Any], tolerance: Callable[[float], float]
) -> None:
    (row,) = [r for r in committed_rows() if (r["world"], r["rule_set"]) == (name, label)]
    for column in COLUMNS[2:]:
        expected = row[column]
        if expected == "-":
            assert fresh[column] is None, column
        else:
            assert re.fullmatch(r"-?\d+(\.\d+)?", expected), (column, expected)
            value = float(expected)
            assert fresh[column] == pytest.approx(value, abs=tolerance(value)), column


def test_the_first_row_is_a_fresh_runs(
    embedded_postgres: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As `make robustness` runs: the dbt unit tests pin the active rule set's thresholds.
    monkeypatch.setenv("DBT_EXCLUDE_RESOURCE_TYPES", "unit_test")
    choice = next(choice for choice in load_plan().rule_sets if not choice.model)
    name, fresh = _fresh(choice, None, tmp_path)
    _assert_row(name, choice.label, fresh, lambda _value: ROW_TOLERANCE)


def test_the_first_model_row_is_a_fresh_runs_within_the_stated_tolerance(
    champion: Model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `champion` is `make train`'s, trained on scoring/worlds.yml: the model `make robustness`
    # trains. Its rows may drift within the doc's stated tolerance (backtest/quality_doc.py).
    monkeypatch.setenv("DBT_EXCLUDE_RESOURCE_TYPES", "unit_test")
    choice = next(choice for choice in load_plan().rule_sets if choice.model)
    name, fresh = _fresh(choice, champion, tmp_path)
    _assert_row(
        name,
        choice.label,
        fresh,
        lambda value: max(MODEL_ABSOLUTE_TOLERANCE, MODEL_RELATIVE_TOLERANCE * abs(value)),
    )


def test_the_committed_plot_is_drawn_from_the_committed_table(tmp_path: Path) -> None:
    rows = [
        {
            **row,
            "false_detections_per_1000_honest": (
                None
                if row["false_detections_per_1000_honest"] == "-"
                else float(row["false_detections_per_1000_honest"])
            ),
        }
        for row in committed_rows()
    ]
    drawn = tmp_path / PLOT
    plot({"table": rows, "zero_fraud": []}, drawn)
    committed = ROOT / "docs" / IMAGE_DIR / PLOT
    assert drawn.read_bytes() == committed.read_bytes(), "run `make robustness`"
