"""A model version on disk: XGBoost (UBJ) + Isolation Forest (joblib) + card.json, and loading it
with every check that keeps a wrong model from scoring (missing or corrupt files, another feature
schema, another scikit-learn).

Unpickling runs code, so the forest's joblib file is loaded only after its SHA-256 equals the one
recorded when the model was saved (`save` returns the digests; the registry keeps them in
registry.json): a file swapped into the model folder is refused before it is read."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
import xgboost
from sklearn.ensemble import IsolationForest

from scoring.features import FEATURE_NAMES, schema_hash
from scoring.forest import FastForest

BOOSTER_FILE = "xgboost.ubj"
FOREST_FILE = "isolation_forest.joblib"
CARD_FILE = "card.json"
REFERENCE_FILE = "reference.npz"


class ModelError(Exception):
    """The model cannot be used; the message is one line naming the file and the reason."""


@dataclass
class Model:
    """One trained version: the supervised booster, the unsupervised forest, their card."""

    version: str
    booster: xgboost.Booster
    forest: IsolationForest
    card: dict[str, Any]
    # Reference sample of the training features (rows x FEATURE_NAMES), for drift.
    reference: np.ndarray
    # The forest's evaluation without scikit-learn's per-call overhead (scoring/forest.py).
    fast_forest: FastForest = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.fast_forest = FastForest(self.forest)

    @property
    def calibration(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The isotonic map from the booster's raw score to a calibrated probability: its knots
        (raw scores, increasing) and their probabilities; None for an uncalibrated model."""
        points = self.card.get("calibration")
        if not points:
            return None
        return np.asarray(points["x"], dtype=np.float64), np.asarray(points["y"], np.float64)

    @property
    def forest_range(self) -> tuple[float, float]:
        low, high = self.card["isolation_forest"]["raw_score_range"]
        return float(low), float(high)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(model: Model, directory: Path) -> dict[str, str]:
    """Write the version's files; returns the SHA-256 of each, to be recorded apart from them."""
    directory.mkdir(parents=True, exist_ok=True)
    model.booster.save_model(directory / BOOSTER_FILE)
    joblib.dump(model.forest, directory / FOREST_FILE)
    np.savez_compressed(directory / REFERENCE_FILE, reference=model.reference)
    card = {**model.card, "version": model.version}
    (directory / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    files = (BOOSTER_FILE, FOREST_FILE, REFERENCE_FILE, CARD_FILE)
    return {name: sha256_of(directory / name) for name in files}


def _verify(directory: Path, checksums: dict[str, str]) -> None:
    """ModelError unless every file of the version has the digest recorded at saving."""
    for name in (CARD_FILE, BOOSTER_FILE, FOREST_FILE, REFERENCE_FILE):
        path = directory / name
        expected = checksums.get(name)
        if expected is None:
            raise ModelError(f"no checksum recorded for {path}: retrain with `make train`")
        if not path.is_file():
            raise ModelError(f"corrupt model file {path} (missing)")
        if sha256_of(path) != expected:
            raise ModelError(
                f"{path} does not match the checksum recorded at training: refusing to load it"
            )


def load(directory: Path, checksums: dict[str, str]) -> Model:
    """The model in `directory`, or ModelError (one line) when it cannot be trusted. Every file
    must match `checksums` (recorded by `save`) before any is read."""
    card_path = directory / CARD_FILE
    if not card_path.is_file():
        raise ModelError(f"no model at {directory} ({CARD_FILE} missing): run `make train`")
    _verify(directory, checksums)
    try:
        card = json.loads(card_path.read_text())
        version = str(card["version"])
        trained_schema = str(card["feature_schema_hash"])
        trained_sklearn = str(card["sklearn_version"])
        features = list(card["features"])
    except (ValueError, KeyError, TypeError) as error:
        raise ModelError(f"corrupt model card {card_path}: {type(error).__name__}") from error
    if trained_schema != schema_hash() or features != list(FEATURE_NAMES):
        raise ModelError(
            f"feature schema mismatch in {card_path}: model {trained_schema},"
            f" scorer {schema_hash()}; retrain with `make train`"
        )
    if trained_sklearn != sklearn.__version__:
        raise ModelError(
            f"{directory / FOREST_FILE} was saved by scikit-learn {trained_sklearn},"
            f" this is {sklearn.__version__}; retrain with `make train`"
        )
    booster = xgboost.Booster()
    try:
        booster.load_model(directory / BOOSTER_FILE)
    except (xgboost.core.XGBoostError, OSError, ValueError) as error:
        raise ModelError(f"corrupt model file {directory / BOOSTER_FILE}") from error
    if booster.num_features() != len(FEATURE_NAMES):
        raise ModelError(
            f"feature schema mismatch in {directory / BOOSTER_FILE}:"
            f" {booster.num_features()} inputs, scorer has {len(FEATURE_NAMES)}"
        )
    try:
        forest = joblib.load(directory / FOREST_FILE)
    except Exception as error:  # joblib raises whatever unpickling a damaged file raises
        raise ModelError(f"corrupt model file {directory / FOREST_FILE}") from error
    if not isinstance(forest, IsolationForest) or forest.n_features_in_ != len(FEATURE_NAMES):
        raise ModelError(f"feature schema mismatch in {directory / FOREST_FILE}")
    try:
        with np.load(directory / REFERENCE_FILE, allow_pickle=False) as archive:
            reference = archive["reference"]
    except (OSError, ValueError, KeyError) as error:
        raise ModelError(f"corrupt model file {directory / REFERENCE_FILE}") from error
    if reference.ndim != 2 or reference.shape[1] != len(FEATURE_NAMES):
        raise ModelError(f"feature schema mismatch in {directory / REFERENCE_FILE}")
    model = Model(version, booster, forest, card, reference)
    try:
        calibration = model.calibration
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"corrupt model card {card_path}: bad calibration") from error
    if calibration is not None:
        knots, probabilities = calibration
        if (
            knots.ndim != 1
            or knots.shape != probabilities.shape
            or len(knots) < 1
            or np.any(np.diff(knots) < 0)
            or np.any(np.diff(probabilities) < 0)
            or not np.all((probabilities >= 0) & (probabilities <= 1))
        ):
            raise ModelError(f"corrupt model card {card_path}: bad calibration")
    low, high = model.forest_range
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        raise ModelError(f"corrupt model card {card_path}: bad isolation_forest range")
    return model
