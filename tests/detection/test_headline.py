"""Headline figures, the robustness plan and the quality doc's tolerant comparison, without a
replay (tests/detection/test_robustness.py replays)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest.headline import REALISTIC_PREVALENCE, Counts, headline, precision_at
from backtest.quality_doc import (
    MODEL_SECTION,
    ROBUSTNESS_END,
    ROBUSTNESS_START,
    differences,
    split_robustness,
    with_robustness,
)
from backtest.robustness import load_plan
from producers.settings import Settings
from rules import store

ROOT = Path(__file__).resolve().parents[2]


def counts(**changes: int) -> Counts:
    values = {
        "honest_transactions": 10_000,
        "fraud_transactions": 1_000,
        "true_detections": 90,
        "false_detections": 30,
        "false_open_cases": 4,
        "honest_critical_accounts": 2,
    }
    return Counts(**{**values, **changes})


def test_figures_are_per_1000_honest_transactions() -> None:
    figures = headline(counts())
    assert figures["false_detections_per_1000_honest"] == 3.0
    assert figures["false_open_cases_per_1000_honest"] == 0.4
    assert figures["honest_critical_per_1000_honest"] == 0.2


def test_per_1000_honest_does_not_depend_on_the_fraud_injected() -> None:
    more_fraud = headline(counts(fraud_transactions=5_000, true_detections=450))
    assert more_fraud["false_detections_per_1000_honest"] == 3.0
    # ...and neither does precision once re-weighted to one prevalence.
    assert more_fraud["precision_at_realistic_prevalence"] == precision_at(
        counts(), REALISTIC_PREVALENCE
    )


def test_precision_at_the_replays_own_prevalence_is_plain_precision() -> None:
    own = 1_000 / 11_000
    assert precision_at(counts(), own) == round(90 / 120, 4)
    # Rarer fraud, same detector: lower precision.
    assert precision_at(counts(), REALISTIC_PREVALENCE) < 0.1  # type: ignore[operator]


def test_without_fraud_precision_is_undefined_not_zero() -> None:
    assert precision_at(counts(fraud_transactions=0, true_detections=0), 0.01) is None
    assert headline(counts(honest_transactions=0))["false_detections_per_1000_honest"] is None


def test_the_robustness_plan_names_real_rule_sets_and_valid_worlds() -> None:
    plan = load_plan()
    assert len(plan.worlds) >= 3
    assert {world["world"] for _, world in plan.worlds} >= {"clean", "realistic"}
    for _name, values in plan.worlds:
        Settings(_env_file=None, sink="jsonl", **values)
    for choice in plan.rule_sets:
        assert store.load(choice.rules).version == choice.rules


def test_the_robustness_section_survives_a_rewrite_of_the_rest() -> None:
    section = f"{ROBUSTNESS_START}\n## Robustness\n| a |\n{ROBUSTNESS_END}\n"
    document = with_robustness("# Detection quality\n\nfigures\n", section)
    rest, kept = split_robustness(document)
    assert rest == "# Detection quality\n\nfigures\n"
    assert kept == section
    assert split_robustness(rest) == (rest, "")


@pytest.mark.parametrize(
    ("fresh", "expected"),
    [
        ("| rules + model | 0.5012 | 1200 |", 0),  # within 1 % / 0.005
        ("| rules + model | 0.5200 | 1200 |", 1),  # beyond
        ("| rules + model | 0.5000 | 1250 |", 1),
        ("| rules and model | 0.5000 | 1200 |", 1),  # text is exact
    ],
)
def test_model_figures_compare_within_the_stated_tolerance(fresh: str, expected: int) -> None:
    head = "# Detection quality\n| v1 | 3 |\n"
    committed = f"{head}{MODEL_SECTION}\n| rules + model | 0.5000 | 1200 |\n"
    assert len(differences(f"{head}{MODEL_SECTION}\n{fresh}\n", committed)) == expected


def test_figures_before_the_model_section_are_exact() -> None:
    committed = f"| v1 | 3 |\n{MODEL_SECTION}\n"
    assert differences(f"| v1 | 3.001 |\n{MODEL_SECTION}\n", committed) != []
