"""The rules-vs-model section of the backtest's text report and of the Markdown document."""

from __future__ import annotations

from typing import Any

from backtest.__main__ import render_model_quality
from backtest.quality_doc import model_section


def quality() -> dict[str, Any]:
    side = {
        "instances_detected": 40,
        "recall": 0.8,
        "evasive_recall": 0.1,
        "detections": 120,
        "precision": 0.7,
        "alerts_per_1000": 9.5,
        "pr_auc": 0.41,
        "evasive_pr_auc": 0.05,
    }
    return {
        "transactions": 12000,
        "fraud_transactions": 900,
        "instances": 50,
        "evasive_instances": 10,
        "rules": side,
        "rules_model": {**side, "evasive_recall": 0.9, "pr_auc": 0.88, "evasive_pr_auc": 0.6},
        "scenarios": [
            {
                "scenario": "velocity_burst",
                "instances": 20,
                "evasive_instances": 4,
                "rules_recall": 0.8,
                "rules_model_recall": 1.0,
                "rules_evasive_recall": 0.0,
                "rules_model_evasive_recall": 1.0,
                "rules_pr_auc": 0.3,
                "rules_model_pr_auc": 0.95,
            }
        ],
    }


def test_text_report_shows_both_sides_per_scenario() -> None:
    text = render_model_quality({"model_quality": quality()})
    assert "Rules alone vs rules + model (50 instances, 10 evasive; 12000 transactions)" in text
    rules_line = next(line for line in text.splitlines() if line.startswith("rules  "))
    model_line = next(line for line in text.splitlines() if line.startswith("rules + model"))
    assert "0.1" in rules_line.split() and "0.9" in model_line.split()
    assert "velocity_burst" in text


def test_no_model_no_section() -> None:
    assert render_model_quality({}) == ""


def test_markdown_rows() -> None:
    scored = {
        "model_quality": quality(),
        "model": {
            "minutes": 20.0,
            "world": "realistic",
            "seed": 7,
            "fraud_rate": 0.1,
            "train_rows": 900,
        },
        "critical_accounts": 12,
        "critical_accounts_without_fraud": 1,
    }
    rules = {"critical_accounts": 9, "critical_accounts_without_fraud": 0}
    document = "\n".join(model_section(rules, scored))
    assert "| rules | 0.8 | 0.1 | 0.7 | 0.41 | 0.05 | 9.5 | 120 |" in document
    assert "| rules + model | 0.8 | 0.9 | 0.7 | 0.88 | 0.6 | 9.5 | 120 |" in document
    assert "| velocity_burst | 20 | 4 | 0.8 | 1.0 | 0.0 | 1.0 | 0.3 | 0.95 |" in document
    assert "Critical accounts: 12 with the model, of which 1 without injected fraud" in document
    assert "seed 7" in document
