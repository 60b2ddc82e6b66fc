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
