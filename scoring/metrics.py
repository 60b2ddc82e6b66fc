"""Detection figures shared by training, retraining and the backtest comparison."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score


def pr_auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """Average precision (the area under the precision-recall curve); None without positives."""
    if len(labels) == 0 or labels.sum() == 0:
        return None
    return round(float(average_precision_score(labels, scores)), 4)


def at_threshold(labels: np.ndarray, flagged: np.ndarray) -> dict[str, float | int | None]:
    """Precision, recall and alerts per 1,000 transactions of a yes/no decision per row."""
    flagged = flagged.astype(bool)
    positives = int(labels.sum())
    true_positives = int((labels.astype(bool) & flagged).sum())
    alerts = int(flagged.sum())
    return {
        "transactions": len(labels),
        "fraud_transactions": positives,
        "alerts": alerts,
        "precision": round(true_positives / alerts, 4) if alerts else None,
        "recall": round(true_positives / positives, 4) if positives else None,
        "alerts_per_1000": round(1000 * alerts / len(labels), 2) if len(labels) else None,
    }


CALIBRATION_BINS = 10


def calibration_figures(labels: np.ndarray, probability: np.ndarray) -> dict[str, float | None]:
    """How far the probabilities are from the observed fraud rates: the Brier score and the
    expected calibration error (rows in CALIBRATION_BINS equal-width bins of probability, the
    gap between each bin's mean probability and its fraud rate, weighted by its rows)."""
    if len(labels) == 0:
        return dict.fromkeys(
            ("brier", "expected_calibration_error", "mean_probability", "fraud_share")
        )
    truth = labels.astype(np.float64)
    bins = np.minimum((probability * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    error = 0.0
    for index in range(CALIBRATION_BINS):
        members = bins == index
        if members.any():
            gap = abs(float(probability[members].mean()) - float(truth[members].mean()))
            error += gap * float(members.mean())
    return {
        "brier": round(float(np.mean((probability - truth) ** 2)), 4),
        "expected_calibration_error": round(error, 4),
        "mean_probability": round(float(probability.mean()), 4),
        "fraud_share": round(float(truth.mean()), 4),
    }
