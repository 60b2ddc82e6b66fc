"""What the model adds, measured on replays of the realistic world it was not trained on.

The model was trained on one seed (tests/support/scoring.py); these replays use another, so the
figures are held-out. The scores reach the risk score through the shared SQL: the backtest runs
the scorer's scoring function over mv_transaction_features into the ml_scores source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backtest.replay import replayed
from scoring.model import Model
from tests.support.replay import replay_end, replay_settings

MINUTES = 15


def _one_row(cursor: Any) -> tuple[Any, ...]:
    row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def realistic(fraud_rate: float):
    return replay_settings(
        fraud_rate, world="realistic", transaction_rate=10.0, customer_pool_size=300
    )


def test_the_model_catches_evasive_fraud_the_rules_miss(champion: Model, tmp_path: Path) -> None:
    with replayed(
        realistic(0.1), minutes=MINUTES, now=replay_end(), work_dir=tmp_path, model=champion
    ) as result:
        quality = result.model_quality
        conn = result.database.connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    "select count(*) from public.mv_account_risk_score_realtime"
                    " where ml_anomaly_contribution > 0 and reason_codes like '%ml_anomaly%'"
                )
                (scored_accounts,) = _one_row(cursor)
                cursor.execute("select count(*) from public.int_ml_scores")
                (scores,) = _one_row(cursor)
                cursor.execute("select count(*) from public.mv_transaction_features")
                (features,) = _one_row(cursor)
        finally:
            conn.close()
    assert quality is not None
    rules, both = quality["rules"], quality["rules_model"]
    assert quality["evasive_instances"] >= 10
    # Evasive instances stay under their rules; the model is measured above them.
    assert both["evasive_recall"] > rules["evasive_recall"]
    assert both["evasive_recall"] >= rules["evasive_recall"] + 0.2
    assert both["instances_detected"] >= rules["instances_detected"]
    assert both["pr_auc"] > rules["pr_auc"]
    # Every transaction got exactly one score, and the signal reached the risk score.
    assert scores == features > 0
    assert scored_accounts > 0


def test_without_fraud_the_model_raises_no_critical_account(
    champion: Model, tmp_path: Path
) -> None:
    with replayed(
        realistic(0.0), minutes=MINUTES, now=replay_end(), work_dir=tmp_path, model=champion
    ) as result:
        report = result.report
        assert result.model_quality is not None
    assert report.critical_accounts == 0
