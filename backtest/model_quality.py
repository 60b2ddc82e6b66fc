"""Rules alone against rules + model, on one replay (PostgreSQL only: it reads the ground truth).

The matching rule and the risk formula live in the dbt project; this module reads its views:
mv_rules_vs_model_summary (instances detected and recall, overall and evasive; detections,
precision, alerts per 1,000 transactions), mv_rules_vs_model_instances (the same per scenario)
and mv_transaction_risk_scores, from which it computes PR-AUC: transactions ranked by the rules'
score or by rules + model, per scenario (and for the evasive instances) the positives being that
scenario's (the evasive) fraud transactions and the negatives every transaction no label holds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from backtest.report import read_rows
from offline.database import Database
from scoring.metrics import pr_auc

SIDES = ("rules", "rules_model")


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class _Transactions:
    """Per valid transaction: fraud or not, its scenario and evasiveness, both sides' scores."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.scenario = np.array([row["scenario"] or "" for row in rows], dtype=object)
        self.is_evasive = np.array([bool(row["is_evasive"]) for row in rows], dtype=bool)
        self.labels = np.array([bool(row["is_fraud"]) for row in rows], dtype=np.int8)
        self.rules = np.array([float(row["rule_score"]) for row in rows])
        self.combined = np.array([float(row["rules_model_score"]) for row in rows])

    def __len__(self) -> int:
        return len(self.labels)

    def pr_auc(self, positives: np.ndarray | None = None) -> tuple[float | None, float | None]:
        """PR-AUC of (rules, rules + model) over `positives` (default: all fraud) and honest."""
        keep = np.ones(len(self), dtype=bool)
        if positives is not None:
            keep = positives | (self.labels == 0)
        labels = self.labels[keep]
        return pr_auc(labels, self.rules[keep]), pr_auc(labels, self.combined[keep])


def _side(summary: dict[str, Any], side: str) -> dict[str, Any]:
    return {
        "instances_detected": summary[f"{side}_instances_detected"],
        "recall": summary[f"{side}_recall"],
        "evasive_recall": summary[f"{side}_evasive_recall"],
        "detections": summary[f"{side}_detections"],
        "precision": summary[f"{side}_precision"],
        "alerts_per_1000": summary[f"{side}_alerts_per_1000"],
    }


def _scenarios(
    instances: list[dict[str, Any]], transactions: _Transactions
) -> list[dict[str, Any]]:
    rows = []
    for scenario in sorted({row["scenario"] for row in instances}):
        mine = [row for row in instances if row["scenario"] == scenario]
        evasive = [row for row in mine if row["is_evasive"]]
        rules_pr_auc, both_pr_auc = transactions.pr_auc(transactions.scenario == scenario)
        rows.append(
            {
                "scenario": scenario,
                "instances": len(mine),
                "evasive_instances": len(evasive),
                **{
                    f"{side}_recall": _ratio(
                        sum(row[f"detected_by_{side}"] for row in mine), len(mine)
                    )
                    for side in SIDES
                },
                **{
                    f"{side}_evasive_recall": _ratio(
                        sum(row[f"detected_by_{side}"] for row in evasive), len(evasive)
                    )
                    for side in SIDES
                },
                "rules_pr_auc": rules_pr_auc,
                "rules_model_pr_auc": both_pr_auc,
            }
        )
    return rows


def read_model_quality(database: Database) -> dict[str, Any]:
    """The rules-vs-model figures of a built replay."""
    conn = database.connect()
    try:
        (summary,) = read_rows(conn, "select * from public.mv_rules_vs_model_summary")
        instances = read_rows(
            conn,
            "select scenario, is_evasive, detected_by_rules, detected_by_rules_model"
            " from public.mv_rules_vs_model_instances order by instance_id",
        )
        transactions = _Transactions(
            read_rows(
                conn,
                "select scenario, is_fraud, is_evasive, rule_score, rules_model_score"
                " from public.mv_transaction_risk_scores order by event_id",
            )
        )
    finally:
        conn.close()
    rules, both = _side(summary, "rules"), _side(summary, "rules_model")
    rules["pr_auc"], both["pr_auc"] = transactions.pr_auc()
    rules["evasive_pr_auc"], both["evasive_pr_auc"] = transactions.pr_auc(transactions.is_evasive)
    return {
        "transactions": summary["transactions"],
        "fraud_transactions": int(transactions.labels.sum()),
        "instances": summary["instances"],
        "evasive_instances": summary["evasive_instances"],
        "rules": rules,
        "rules_model": both,
        "scenarios": _scenarios(instances, transactions),
    }


# The columns of both reports (text and Markdown): one row per side, one per scenario.
MODEL_SIDE_COLUMNS = [
    "side",
    "recall",
    "evasive_recall",
    "precision",
    "pr_auc",
    "evasive_pr_auc",
    "alerts_per_1000",
    "detections",
]
MODEL_SCENARIO_COLUMNS = [
    "scenario",
    "instances",
    "evasive_instances",
    "rules_recall",
    "rules_model_recall",
    "rules_evasive_recall",
    "rules_model_evasive_recall",
    "rules_pr_auc",
    "rules_model_pr_auc",
]


def sides(quality: dict[str, Any]) -> list[dict[str, Any]]:
    """The two sides as rows: rules alone, then rules + model."""
    return [
        {"side": name, **quality[key]}
        for name, key in (("rules", "rules"), ("rules + model", "rules_model"))
    ]
