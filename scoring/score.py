"""The pure scoring function: feature records in, one score per record out. The live scorer,
the backtest and the benchmark all call it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xgboost

from scoring.features import FEATURE_NAMES, ID_COLUMNS, vectorize
from scoring.model import Model


@dataclass(frozen=True)
class Score:
    event_id: str
    event_time: Any
    customer_id: str
    account_id: str | None
    card_token: str | None
    amount: float | None
    score: float  # the supervised model's fraud probability, 0..1
    anomaly_score: float  # the Isolation Forest's anomaly, 0 (typical) .. 1 (most unusual)
    model_version: str
    top_feature: str | None  # the feature that raised the score most (scores >= explain_min)
    # Up to TOP_REASONS features that raised the score, strongest first, with their
    # contribution in log-odds: "amount_to_history_mean +1.52, is_new_merchant +0.61".
    top_reasons: str | None

    def as_message(self, scored_at: str) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "event_time": self.event_time,
            "customer_id": self.customer_id,
            "account_id": self.account_id,
            "card_token": self.card_token,
            "amount": self.amount,
            "score": self.score,
            "anomaly_score": self.anomaly_score,
            "model_version": self.model_version,
            "top_feature": self.top_feature,
            "top_reasons": self.top_reasons,
            "scored_at": scored_at,
        }


def probabilities(model: Model, matrix: np.ndarray) -> np.ndarray:
    """The fraud probability per row: the booster's score through the model's calibration."""
    raw = np.asarray(model.booster.inplace_predict(matrix), dtype=np.float64)
    return calibrated(model.calibration, raw)


def calibrated(calibration: tuple[np.ndarray, np.ndarray] | None, raw: np.ndarray) -> np.ndarray:
    """The booster's raw scores through a model's calibration (Model.calibration)."""
    if calibration is None:
        return raw
    knots, values = calibration
    # Isotonic regression predicts by linear interpolation between its knots, clipped outside.
    return np.interp(raw, knots, values)


def predict(model: Model, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(fraud probability, normalised anomaly) per row of a feature matrix."""
    if len(matrix) == 0:
        return np.empty(0), np.empty(0)
    probability = probabilities(model, matrix)
    low, high = model.forest_range
    # score_samples is higher for typical rows; flip and scale by the training range.
    raw = -model.fast_forest.score_samples(np.nan_to_num(matrix, nan=-1.0))
    anomaly = np.clip((raw - low) / (high - low), 0.0, 1.0)
    return np.asarray(probability, dtype=np.float64), anomaly


TOP_REASONS = 3


def contributions(model: Model, matrix: np.ndarray) -> np.ndarray:
    """Each feature's contribution to each row's log-odds (XGBoost's exact TreeSHAP values;
    the bias column dropped): rows x FEATURE_NAMES."""
    values = model.booster.predict(xgboost.DMatrix(matrix), pred_contribs=True)
    return np.asarray(values[:, :-1], dtype=np.float64)


def top_reasons(row: np.ndarray, limit: int = TOP_REASONS) -> list[tuple[str, float]]:
    """The features that raised one row's score, strongest first: (name, log-odds)."""
    order = np.argsort(-row, kind="stable")[:limit]
    rounded = [(FEATURE_NAMES[int(i)], round(float(row[i]), 2)) for i in order]
    # Filtered after rounding: a raise under 0.005 would read "+0.00", which raised nothing.
    return [(name, value) for name, value in rounded if value > 0]


def reasons_text(reasons: list[tuple[str, float]]) -> str | None:
    return ", ".join(f"{name} {value:+.2f}" for name, value in reasons) or None


def score_records(
    model: Model, records: Sequence[Mapping[str, Any]], *, explain_min: float = 0.5
) -> list[Score]:
    """One Score per record, in order. Raises FeatureError when a record lacks a feature."""
    return score_matrix(model, records, vectorize(records), explain_min=explain_min)


def score_matrix(
    model: Model,
    records: Sequence[Mapping[str, Any]],
    matrix: np.ndarray,
    *,
    explain_min: float = 0.5,
) -> list[Score]:
    """score_records for records already vectorised (`matrix` row i is record i)."""
    probability, anomaly = predict(model, matrix)
    explained = np.flatnonzero(probability >= explain_min)
    reasons: dict[int, list[tuple[str, float]]] = {}
    if len(explained):
        values = contributions(model, matrix[explained])
        reasons = {int(row): top_reasons(values[i]) for i, row in enumerate(explained)}
    scores = []
    for row, record in enumerate(records):
        ids = [record.get(name) for name in ID_COLUMNS]
        amount = record.get("amount")
        scores.append(
            Score(
                str(ids[0]),
                ids[1],
                str(ids[2]),
                ids[3],
                ids[4],
                None if amount is None else float(amount),
                round(float(probability[row]), 6),
                round(float(anomaly[row]), 6),
                model.version,
                reasons[row][0][0] if reasons.get(row) else None,
                reasons_text(reasons.get(row, [])),
            )
        )
    return scores


def replay_scorer(
    model: Model,
) -> Callable[[Sequence[Mapping[str, Any]]], list[dict[str, Any]]]:
    """score_records as the offline engine's scorer (offline.features): one ml_scores payload
    per feature row, scored when the row's transaction arrived (its ingested_at)."""

    def score(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [
            score.as_message(record["ingested_at"].isoformat())
            for record, score in zip(records, score_records(model, records), strict=True)
        ]

    return score
