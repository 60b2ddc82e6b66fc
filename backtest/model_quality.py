"""Rules alone against rules + model, on one replay (PostgreSQL only: it reads the ground truth).

Instances (per scenario, and the evasive ones apart): detected when any signal of the customer
falls in [started_at, ended_at + label_match_grace_minutes], the project's matching rule; rules
count every signal type but ml_anomaly, rules + model count all. Signals: precision is the share
of detections that fall in an instance of their customer, alerts are detections per 1,000
transactions. Transactions: PR-AUC ranks each transaction by the rules' score (the largest risk
weight among the rule detections it belongs to) or by the noisy-or of that and the model's score;
per scenario (and for the evasive instances) the positives are that scenario's (the evasive)
fraud transactions and the negatives every transaction no label holds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from psycopg2.extensions import connection as Connection

from scoring.metrics import pr_auc

ML_SIGNAL = "ml_anomaly"


def _rows(conn: Connection, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with conn.cursor() as cursor:
        cursor.execute(query, params)
        return list(cursor.fetchall())


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _instances(conn: Connection, grace_minutes: int) -> list[tuple[str, bool, bool, bool]]:
    """(scenario, is_evasive, detected by rules, detected by rules + model) per instance."""
    return _rows(
        conn,
        """
        select labels.scenario, coalesce(labels.is_evasive, false),
            coalesce(bool_or(signals.signal_type <> %s), false),
            coalesce(bool_or(signals.signal_id is not null), false)
        from public.src_fraud_labels as labels
        left join public.mv_signals as signals
            on signals.customer_id = labels.customer_id
            and signals.detected_at >= labels.started_at
            and signals.detected_at <= labels.ended_at + make_interval(mins => %s)
        where labels.instance_id is not null
        group by labels.instance_id, labels.scenario, labels.is_evasive
        """,
        (ML_SIGNAL, grace_minutes),
    )


def _signals(conn: Connection, grace_minutes: int) -> list[tuple[str, bool]]:
    """(signal_type, falls in an instance of its customer) per detection."""
    return _rows(
        conn,
        """
        select signals.signal_type, bool_or(labels.instance_id is not null)
        from public.mv_signals as signals
        left join public.src_fraud_labels as labels
            on signals.customer_id = labels.customer_id
            and signals.detected_at >= labels.started_at
            and signals.detected_at <= labels.ended_at + make_interval(mins => %s)
        group by signals.signal_id, signals.signal_type
        """,
        (grace_minutes,),
    )


class _Transactions:
    """Per valid transaction: fraud or not, its scenario and evasiveness, both sides' scores."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.scenario = np.array([row[0] or "" for row in rows], dtype=object)
        self.is_evasive = np.array([bool(row[1]) for row in rows], dtype=bool)
        self.labels = np.array([row[0] is not None for row in rows], dtype=np.int8)
        self.rules = np.array([float(row[2]) for row in rows])
        model = np.array([float(row[3]) for row in rows])
        self.combined = 1 - (1 - self.rules) * (1 - model)

    def __len__(self) -> int:
        return len(self.labels)

    def pr_auc(self, positives: np.ndarray | None = None) -> tuple[float | None, float | None]:
        """PR-AUC of (rules, rules + model) over `positives` (default: all fraud) and honest."""
        keep = np.ones(len(self), dtype=bool)
        if positives is not None:
            keep = positives | (self.labels == 0)
        labels = self.labels[keep]
        return pr_auc(labels, self.rules[keep]), pr_auc(labels, self.combined[keep])


def _transactions(conn: Connection, weights: dict[str, float]) -> _Transactions:
    cases = " ".join(
        f"when '{signal}' then {float(weight)}"
        for signal, weight in weights.items()
        if signal != ML_SIGNAL
    )
    rows = _rows(
        conn,
        f"""
        with truth as (
            select event_id, min(scenario) as scenario, bool_or(is_evasive) as is_evasive
            from (
                select unnest(event_ids) as event_id, scenario,
                    coalesce(is_evasive, false) as is_evasive
                from public.src_fraud_labels
            ) as labelled
            group by event_id
        ),
        rules as (
            select event_id, max(case signal_type {cases} else 0 end) as rule_score
            from public.int_signal_transactions group by event_id
        )
        select truth.scenario, coalesce(truth.is_evasive, false),
            coalesce(rules.rule_score, 0), coalesce(scores.score, 0)
        from public.stg_transactions as transactions
        left join truth on truth.event_id = transactions.event_id
        left join rules on rules.event_id = transactions.event_id
        left join public.stg_ml_scores as scores on scores.event_id = transactions.event_id
        order by transactions.event_id
        """,
    )
    return _Transactions(rows)


def _side(
    instances: list[tuple[str, bool, bool, bool]],
    signals: list[tuple[str, bool]],
    transactions: int,
    column: int,
    with_model: bool,
) -> dict[str, Any]:
    kept = [matched for signal_type, matched in signals if with_model or signal_type != ML_SIGNAL]
    evasive = [row for row in instances if row[1]]
    return {
        "instances_detected": sum(1 for row in instances if row[column]),
        "recall": _ratio(sum(1 for row in instances if row[column]), len(instances)),
        "evasive_recall": _ratio(sum(1 for row in evasive if row[column]), len(evasive)),
        "detections": len(kept),
        "precision": _ratio(sum(kept), len(kept)),
        "alerts_per_1000": round(1000 * len(kept) / transactions, 2) if transactions else None,
    }


def build_model_quality(
    conn: Connection, *, weights: dict[str, float], grace_minutes: int
) -> dict[str, Any]:
    instances = _instances(conn, grace_minutes)
    signals = _signals(conn, grace_minutes)
    transactions = _transactions(conn, weights)
    rules = _side(instances, signals, len(transactions), 2, with_model=False)
    both = _side(instances, signals, len(transactions), 3, with_model=True)
    rules["pr_auc"], both["pr_auc"] = transactions.pr_auc()
    rules["evasive_pr_auc"], both["evasive_pr_auc"] = transactions.pr_auc(transactions.is_evasive)
    per_scenario = []
    for scenario in sorted({row[0] for row in instances}):
        mine = [row for row in instances if row[0] == scenario]
        evasive = [row for row in mine if row[1]]
        rules_pr_auc, both_pr_auc = transactions.pr_auc(transactions.scenario == scenario)
        per_scenario.append(
            {
                "scenario": scenario,
                "instances": len(mine),
                "evasive_instances": len(evasive),
                "rules_recall": _ratio(sum(row[2] for row in mine), len(mine)),
                "rules_model_recall": _ratio(sum(row[3] for row in mine), len(mine)),
                "rules_evasive_recall": _ratio(sum(row[2] for row in evasive), len(evasive)),
                "rules_model_evasive_recall": _ratio(sum(row[3] for row in evasive), len(evasive)),
                "rules_pr_auc": rules_pr_auc,
                "rules_model_pr_auc": both_pr_auc,
            }
        )
    return {
        "transactions": len(transactions),
        "fraud_transactions": int(transactions.labels.sum()),
        "instances": len(instances),
        "evasive_instances": sum(1 for row in instances if row[1]),
        "rules": rules,
        "rules_model": both,
        "scenarios": per_scenario,
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
