"""Training one version: XGBoost (supervised, weighted for the rare fraud class) and an Isolation
Forest (unsupervised), on a labelled set; the booster's score calibrated (isotonic) on another
world; measured on a held-out world (or, given one set, on its later part).

Reproducible bit for bit: one thread (XGBoost's `nthread`, the forest's `n_jobs`), one seed for
every random draw, rows in a fixed order (event time, event id) and the exact tree method
`hist`; the same rows give the same model files (tests/scoring/test_training.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sklearn
import xgboost
from sklearn.ensemble import IsolationForest
from sklearn.isotonic import IsotonicRegression

from offline.progress import Progress
from scoring.dataset import Dataset, time_split
from scoring.features import FEATURE_NAMES, schema_hash
from scoring.metrics import at_threshold, calibration_figures, pr_auc
from scoring.model import Model
from scoring.score import predict

BOOST_ROUNDS = 150
REFERENCE_ROWS = 5000
# 50 trees of 256 samples: the forest is the scorer's largest cost per record.
FOREST_TREES = 50


@dataclass(frozen=True)
class TrainingRun:
    """Where the data came from, for the model card."""

    seed: int
    minutes: float
    world: str
    fraud_rate: float
    train_share: float
    threshold: float
    # Each role's worlds, described (scoring/worlds.yml), when trained across several.
    worlds: dict[str, list[str]] | None = None


class _RoundProgress(xgboost.callback.TrainingCallback):
    """Boosting rounds as a progress line (the callback reads nothing the model learns)."""

    def __init__(self) -> None:
        super().__init__()
        self.progress = Progress("train XGBoost", total=BOOST_ROUNDS, unit="rounds")

    def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
        self.progress.advance()
        return False


def fit(
    dataset: Dataset, seed: int
) -> tuple[xgboost.Booster, IsolationForest, tuple[float, float]]:
    positives = max(int(dataset.labels.sum()), 1)
    negatives = max(len(dataset) - positives, 1)
    params = {
        "objective": "binary:logistic",
        "eval_metric": "aucpr",
        "max_depth": 4,
        "eta": 0.1,
        "subsample": 0.9,
        "colsample_bytree": 0.9,
        "min_child_weight": 2,
        # Heavily imbalanced: weight the fraud rows up to balance the classes.
        "scale_pos_weight": negatives / positives,
        "tree_method": "hist",
        "nthread": 1,
        "seed": seed,
    }
    matrix = xgboost.DMatrix(
        dataset.matrix, label=dataset.labels, feature_names=list(FEATURE_NAMES)
    )
    rounds = _RoundProgress()
    booster = xgboost.train(params, matrix, num_boost_round=BOOST_ROUNDS, callbacks=[rounds])
    rounds.progress.finish(f"{len(dataset)} rows")
    # Predictions take plain arrays: drop the names so the scorer need not build named matrices.
    booster.feature_names = None
    forest = IsolationForest(n_estimators=FOREST_TREES, random_state=seed, n_jobs=1)
    filled = np.nan_to_num(dataset.matrix, nan=-1.0)
    progress = Progress("train Isolation Forest", total=FOREST_TREES, unit="trees")
    forest.fit(filled)
    progress.advance(FOREST_TREES)
    progress.finish()
    raw = -forest.score_samples(filled)
    return booster, forest, (float(np.quantile(raw, 0.01)), float(np.quantile(raw, 0.999)))


def calibrate(booster: xgboost.Booster, dataset: Dataset) -> dict[str, Any]:
    """Isotonic regression of the labels on the booster's raw score: its knots, for the card."""
    raw = np.asarray(booster.inplace_predict(dataset.matrix), dtype=np.float64)
    isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    isotonic.fit(raw, dataset.labels.astype(np.float64))
    return {
        "method": "isotonic",
        "rows": len(dataset),
        "fraud_rows": int(dataset.labels.sum()),
        "x": [float(value) for value in isotonic.X_thresholds_],
        "y": [float(value) for value in isotonic.y_thresholds_],
    }


def evaluate(model: Model, dataset: Dataset, threshold: float) -> dict[str, Any]:
    probability, anomaly = predict(model, dataset.matrix)
    figures: dict[str, Any] = {
        "pr_auc": pr_auc(dataset.labels, probability),
        "isolation_forest_pr_auc": pr_auc(dataset.labels, anomaly),
        **at_threshold(dataset.labels, probability >= threshold),
    }
    honest = dataset.labels == 0
    figures["honest_transactions"] = int(honest.sum())
    figures["honest_flags_per_1000"] = (
        round(1000 * float((probability[honest] >= threshold).mean()), 2) if honest.any() else None
    )
    figures["calibration"] = calibration_figures(dataset.labels, probability)
    evasive = dataset.evasive.astype(bool)
    figures["evasive_fraud_transactions"] = int(evasive.sum())
    figures["evasive_recall"] = (
        round(float((probability[evasive] >= threshold).mean()), 4) if evasive.any() else None
    )
    return figures


def train(
    version: str,
    dataset: Dataset,
    run: TrainingRun,
    *,
    calibration: Dataset | None = None,
    test: Dataset | None = None,
) -> Model:
    """Train on `dataset`, calibrate on `calibration` (if given), measure on `test`; without a
    test set, train on the earlier `train_share` of `dataset` (by event time) and measure on
    the rest."""
    if test is None:
        train_set, test_set = time_split(dataset, run.train_share)
    else:
        train_set, test_set = dataset, test
    if train_set.labels.sum() == 0:
        raise ValueError("the training window holds no fraud: replay more minutes or more fraud")
    booster, forest, forest_range = fit(train_set, run.seed)
    rng = np.random.default_rng(run.seed)
    take = min(REFERENCE_ROWS, len(train_set))
    reference = train_set.matrix[np.sort(rng.choice(len(train_set), take, replace=False))]
    card: dict[str, Any] = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "features": list(FEATURE_NAMES),
        "feature_schema_hash": schema_hash(),
        "xgboost_version": xgboost.__version__,
        "sklearn_version": sklearn.__version__,
        "seed": run.seed,
        "data": {
            "world": run.world,
            "fraud_rate": run.fraud_rate,
            "minutes": run.minutes,
            "worlds": run.worlds,
            "train_span": train_set.span,
            "test_span": test_set.span,
            "train_rows": len(train_set),
            "train_fraud_rows": int(train_set.labels.sum()),
            "test_rows": len(test_set),
            "test_fraud_rows": int(test_set.labels.sum()),
        },
        "xgboost": {"boost_rounds": BOOST_ROUNDS, "max_depth": 4, "eta": 0.1},
        "isolation_forest": {"trees": FOREST_TREES, "raw_score_range": list(forest_range)},
        "calibration": None if calibration is None else calibrate(booster, calibration),
        "threshold": run.threshold,
    }
    model = Model(version, booster, forest, card, reference)
    card["metrics"] = {"test": evaluate(model, test_set, run.threshold)}
    return model
