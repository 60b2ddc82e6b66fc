"""The robustness table of docs/detection_quality.md is current: its first world under its first
rule set, replayed afresh (the plan's minutes: about two minutes), gives the committed row.

Rules alone, no model: integer counts over the same seed, so the row must match exactly but for
rounding (ROW_TOLERANCE). The FRAUD_RATE=0 table (an hour per world) is `make robustness`'s."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from backtest.quality_doc import DOC_PATH, split_robustness
from backtest.robustness import COLUMNS, load_plan, measure
from producers.settings import Settings
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


def test_the_first_row_is_a_fresh_runs(
    embedded_postgres: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = load_plan()
    name, values = plan.worlds[0]
    choice = next(choice for choice in plan.rule_sets if not choice.model)
    # As `make robustness` runs: the dbt unit tests pin the active rule set's thresholds.
    monkeypatch.setenv("DBT_EXCLUDE_RESOURCE_TYPES", "unit_test")
    settings = Settings(_env_file=None, sink="jsonl", **values)
    fresh = measure(settings, plan.minutes, choice, None, tmp_path)
    (row,) = [r for r in committed_rows() if (r["world"], r["rule_set"]) == (name, choice.label)]
    for column in COLUMNS[2:]:
        expected = row[column]
        if expected == "-":
            assert fresh[column] is None, column
        else:
            assert re.fullmatch(r"-?\d+(\.\d+)?", expected), (column, expected)
            assert fresh[column] == pytest.approx(float(expected), abs=ROW_TOLERANCE), column
