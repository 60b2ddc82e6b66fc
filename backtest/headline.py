"""Headline figures of a replay that do not depend on how much fraud it injected: false detections,
false open cases and honest critical accounts per 1,000 honest transactions, and the precision the
same rules would have at a realistic fraud prevalence."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from backtest.report import read_rows
from offline.database import Database

# Fraud share of card transactions by count, the published figure this project re-weights to:
# 492 frauds in 284,807 transactions by European cardholders over two days of September 2013
# (Dal Pozzolo et al., "Calibrating Probability with Undersampling for Unbalanced
# Classification", IEEE CIDM 2015; the ULB credit card data set). One home for the value.
REALISTIC_PREVALENCE = 492 / 284_807
PREVALENCE_SOURCE = (
    "492 frauds in 284,807 card transactions (Dal Pozzolo et al., IEEE CIDM 2015, ULB data set)"
)


@dataclass(frozen=True)
class Counts:
    """What a built replay counted (backtest/report.py's views)."""

    honest_transactions: int
    fraud_transactions: int
    true_detections: int
    false_detections: int
    false_open_cases: int
    honest_critical_accounts: int


def read_counts(database: Database) -> Counts:
    conn = database.connect()
    try:
        (transactions,) = read_rows(
            conn,
            "select count(*) filter (where not is_fraud) as honest,"
            " count(*) filter (where is_fraud) as fraud"
            " from public.mv_transaction_risk_scores",
        )
        (detections,) = read_rows(
            conn,
            "select coalesce(sum(true_positive_detections), 0) as true_detections,"
            " coalesce(sum(false_positive_detections), 0) as false_detections"
            " from public.mv_detection_quality_by_signal",
        )
        (alerts,) = read_rows(
            conn, "select cases_without_fraud from public.mv_alerts_per_1000_transactions"
        )
        (critical,) = read_rows(
            conn, "select critical_accounts_without_fraud from public.mv_critical_accounts"
        )
    finally:
        conn.close()
    return Counts(
        honest_transactions=int(transactions["honest"]),
        fraud_transactions=int(transactions["fraud"]),
        true_detections=int(detections["true_detections"]),
        false_detections=int(detections["false_detections"]),
        false_open_cases=int(alerts["cases_without_fraud"]),
        honest_critical_accounts=int(critical["critical_accounts_without_fraud"]),
    )


def _per_1000(count: int, honest: int) -> float | None:
    return None if honest == 0 else round(1000 * count / honest, 3)


def precision_at(counts: Counts, prevalence: float) -> float | None:
    """Precision with the fraud side re-weighted from the replay's share to `prevalence`.

    True detections scale with fraud transactions and false ones with honest transactions, so
    at prevalence p each true detection counts (p / (1 - p)) / (fraud / honest) times. Undefined
    (None) without fraud, or without any detection."""
    if counts.fraud_transactions == 0 or counts.honest_transactions == 0:
        return None
    weight = (prevalence / (1 - prevalence)) * (
        counts.honest_transactions / counts.fraud_transactions
    )
    weighted = counts.true_detections * weight
    if weighted + counts.false_detections == 0:
        return None
    return round(weighted / (weighted + counts.false_detections), 4)


def headline(counts: Counts, prevalence: float = REALISTIC_PREVALENCE) -> dict[str, Any]:
    honest = counts.honest_transactions
    return {
        **asdict(counts),
        "false_detections_per_1000_honest": _per_1000(counts.false_detections, honest),
        "false_open_cases_per_1000_honest": _per_1000(counts.false_open_cases, honest),
        "honest_critical_per_1000_honest": _per_1000(counts.honest_critical_accounts, honest),
        "precision_at_realistic_prevalence": precision_at(counts, prevalence),
    }
