"""The feature schema: the columns of mv_transaction_features the models read, and how a record
becomes a row of numbers. Its hash is stored with every model, so a model trained on another
definition is refused at startup instead of scoring garbage."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from common.contract import CONTRACT

# How far back the history features look (dbt var feature_history_hours: a test keeps them equal).
HISTORY_HOURS = 24
# Numeric columns, in model order. Each describes the payment or compares it with the account's
# own history; absolute tempo (seconds since the previous payment, hour of day, counts per
# window) is left out: it follows the world's generator, not fraud (issue 17).
NUMERIC_FEATURES: tuple[str, ...] = (
    "amount",
    "amount_to_typical",
    "amount_to_history_mean",
    "gap_to_typical_gap",
    "count_10m_to_typical",
    "is_new_merchant",
    "is_new_city",
    "is_new_account_device",
    "km_from_previous",
    "km_from_home",
    "is_new_device",
    "is_card_not_present",
)
# Categorical columns and their known values (channels: the detection contract's, in its order):
# a value is encoded as its index; an unknown or missing value becomes NaN (XGBoost's missing),
# never a silent zero.
CATEGORICAL_FEATURES: dict[str, tuple[str, ...]] = {
    "channel": CONTRACT.channels,
    "merchant_category": (
        "grocery",
        "restaurants",
        "fuel",
        "retail",
        "electronics",
        "travel",
        "utilities",
        "health",
        "entertainment",
        "online_services",
    ),
    "kyc_tier": ("low", "medium", "high"),
}
FEATURE_NAMES: tuple[str, ...] = (*NUMERIC_FEATURES, *CATEGORICAL_FEATURES)
# Carried through to the score message, not fed to the model.
ID_COLUMNS: tuple[str, ...] = ("event_id", "event_time", "customer_id", "account_id", "card_token")

_CODES = {
    name: {value: float(index) for index, value in enumerate(values)}
    for name, values in CATEGORICAL_FEATURES.items()
}


def schema_hash(
    numeric: Sequence[str] = NUMERIC_FEATURES,
    categorical: Mapping[str, Sequence[str]] = CATEGORICAL_FEATURES,
) -> str:
    """A short digest of the feature names, their order, every category's values and the
    history span."""
    document = json.dumps(
        {
            "numeric": list(numeric),
            "categorical": {k: list(v) for k, v in categorical.items()},
            "history_hours": HISTORY_HOURS,
        },
        sort_keys=True,
    )
    return hashlib.sha256(document.encode()).hexdigest()[:16]


class FeatureError(ValueError):
    """A record lacks a feature column: the upstream view and the model disagree."""


def _column(records: Sequence[Mapping[str, Any]], name: str) -> np.ndarray:
    # float dtype turns None (SQL NULL) into NaN, XGBoost's missing value.
    try:
        return np.array([record[name] for record in records], dtype=np.float32)
    except KeyError as error:
        raise FeatureError(f"feature {name!r} missing from the record") from error
    except (TypeError, ValueError) as error:
        raise FeatureError(f"feature {name!r} is not numeric: {error}") from error


def _codes(records: Sequence[Mapping[str, Any]], name: str) -> np.ndarray:
    codes = _CODES[name]
    try:
        return np.array([codes.get(record[name], math.nan) for record in records], np.float32)
    except KeyError as error:
        raise FeatureError(f"feature {name!r} missing from the record") from error
    except TypeError as error:  # an unhashable value (a list, an object)
        raise FeatureError(f"feature {name!r} is not a category: {error}") from error


def vectorize(records: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Records (dicts with every FEATURE_NAMES key) as a float32 matrix in model order."""
    matrix = np.empty((len(records), len(FEATURE_NAMES)), dtype=np.float32)
    for index, name in enumerate(NUMERIC_FEATURES):
        matrix[:, index] = _column(records, name)
    for offset, name in enumerate(CATEGORICAL_FEATURES):
        matrix[:, len(NUMERIC_FEATURES) + offset] = _codes(records, name)
    return matrix


def missing_columns(columns: Sequence[str]) -> list[str]:
    """FEATURE_NAMES absent from a record's (or a table's) columns."""
    present = set(columns)
    return [name for name in (*ID_COLUMNS, *FEATURE_NAMES) if name not in present]
