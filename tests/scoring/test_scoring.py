"""The pure parts: feature vectors, the schema hash, the forest's evaluation, save and load."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from scoring.features import FEATURE_NAMES, NUMERIC_FEATURES, FeatureError, schema_hash, vectorize
from scoring.forest import FastForest
from scoring.model import load, save
from scoring.score import score_records
from scoring.trees import FastTrees
from tests.support.scoring import synthetic_model, synthetic_records


@pytest.fixture(scope="module")
def model():
    return synthetic_model()


def test_unknown_categories_and_nulls_are_missing_not_zero() -> None:
    record = synthetic_records(1, 1)[0]
    record["channel"] = "teleport"
    record["km_from_home"] = None
    row = vectorize([record])[0]
    assert math.isnan(row[FEATURE_NAMES.index("channel")])
    assert math.isnan(row[FEATURE_NAMES.index("km_from_home")])
    assert row[FEATURE_NAMES.index("kyc_tier")] == 0.0  # "low" is the first known tier


def test_a_record_without_a_feature_is_an_error() -> None:
    record = synthetic_records(1, 1)[0]
    del record["gap_to_typical_gap"]
    with pytest.raises(FeatureError, match="gap_to_typical_gap"):
        vectorize([record])


def test_the_schema_hash_follows_names_order_and_categories() -> None:
    base = schema_hash()
    assert schema_hash(tuple(reversed(NUMERIC_FEATURES))) != base
    assert schema_hash(categorical={"channel": ("pos",)}) != base
    assert schema_hash() == base


def test_the_fast_forest_equals_scikit_learn(model) -> None:
    matrix = np.nan_to_num(vectorize(synthetic_records(2000, 4)), nan=-1.0)
    expected = model.forest.score_samples(matrix)
    assert np.allclose(FastForest(model.forest).score_samples(matrix), expected, atol=1e-12)


def test_the_fast_trees_equal_xgboost(model) -> None:
    matrix = vectorize(synthetic_records(2000, 4))
    # Missing values too: each row loses some features, sent down the default branches.
    matrix[np.random.default_rng(4).random(matrix.shape) < 0.2] = np.nan
    assert FastTrees.supports(model.booster)
    trees = FastTrees(model.booster)
    fast = np.array([trees.probability(row) for row in matrix])
    expected = model.booster.inplace_predict(matrix)
    # Within a float32 rounding of XGBoost's own float32 arithmetic.
    assert np.allclose(fast, expected, rtol=0, atol=1e-6)
    assert fast.std() > 0.1  # the rows reach different leaves


def test_one_score_per_record_in_order(model) -> None:
    records = synthetic_records(300, 6)
    scores = score_records(model, records)
    assert [score.event_id for score in scores] == [record["event_id"] for record in records]
    flagged = [score for score in scores if score.score >= 0.5]
    assert flagged, "the synthetic anomalies should score high"
    assert all(score.top_feature in FEATURE_NAMES for score in flagged)
    assert all(score.top_feature is None for score in scores if score.score < 0.5)


def test_a_saved_model_scores_the_same_after_loading(model, tmp_path: Path) -> None:
    checksums = save(model, tmp_path / "v0001")
    loaded = load(tmp_path / "v0001", checksums)
    records = synthetic_records(200, 7)
    assert score_records(loaded, records) == score_records(model, records)
    assert loaded.card["feature_schema_hash"] == schema_hash()
