"""The booster's raw score of one row in vectorised NumPy, for the decision service.

XGBoost's `inplace_predict` costs about 0.3 ms of CPU per call whatever the row count (its
configuration, array-interface and output handling), a tenth of a decision's CPU; walking the
trees here costs a few tens of microseconds. All trees advance one level per step: a node sends
the row left when the feature is below its split (XGBoost's `<`, in float32), to its default
child when the feature is missing, else right; a leaf keeps it. The booster stays XGBoost's
(trained and saved by it); a test holds the two equal.
"""

from __future__ import annotations

import json
import math

import numpy as np
import xgboost


class FastTrees:
    """The binary:logistic probability of a gbtree booster with numerical splits only."""

    def __init__(self, booster: xgboost.Booster) -> None:
        learner = json.loads(booster.save_raw("json"))["learner"]
        trees = learner["gradient_booster"]["model"]["trees"]
        features: list[int] = []
        splits: list[float] = []
        left: list[int] = []
        right: list[int] = []
        missing: list[int] = []
        roots: list[int] = []
        depth = 0
        for tree in trees:
            offset = len(features)
            roots.append(offset)
            for node, (lo, hi) in enumerate(
                zip(tree["left_children"], tree["right_children"], strict=True)
            ):
                leaf = lo == -1
                features.append(0 if leaf else tree["split_indices"][node])
                # A leaf holds its value where a split holds its threshold.
                splits.append(tree["split_conditions"][node])
                left.append(offset + (node if leaf else lo))
                right.append(offset + (node if leaf else hi))
                default = lo if tree["default_left"][node] else hi
                missing.append(offset + (node if leaf else default))
            depth = max(depth, _depth(tree["left_children"], tree["right_children"]))
        self._features = np.array(features, dtype=np.intp)
        self._splits = np.array(splits, dtype=np.float32)
        self._left = np.array(left, dtype=np.intp)
        self._right = np.array(right, dtype=np.intp)
        self._missing = np.array(missing, dtype=np.intp)
        self._roots = np.array(roots, dtype=np.intp)
        self._depth = depth
        base_score = float(learner["learner_model_param"]["base_score"].strip("[]"))
        self._base_margin = np.array([math.log(base_score / (1 - base_score))], np.float32)

    @staticmethod
    def supports(booster: xgboost.Booster) -> bool:
        """Whether the booster is what this evaluates: binary:logistic, gbtree, one target,
        numerical splits."""
        learner = json.loads(booster.save_raw("json"))["learner"]
        model = learner["gradient_booster"]
        return (
            learner["objective"]["name"] == "binary:logistic"
            and model["name"] == "gbtree"
            and learner["learner_model_param"]["num_target"] == "1"
            and all(not any(tree["split_type"]) for tree in model["model"]["trees"])
        )

    def probability(self, row: np.ndarray) -> float:
        """The booster's probability of one float32 feature row (NaN = missing)."""
        values = np.asarray(row, dtype=np.float32)
        node = self._roots
        for _ in range(self._depth):
            value = values[self._features[node]]
            node = np.where(
                np.isnan(value),
                self._missing[node],
                np.where(value < self._splits[node], self._left[node], self._right[node]),
            )
        # XGBoost adds the leaves one tree after the other in float32 (cumsum is sequential).
        leaves = np.concatenate((self._base_margin, self._splits[node]))
        margin = np.cumsum(leaves, dtype=np.float32)[-1]
        return float(np.float32(1) / (np.float32(1) + np.exp(-margin)))


def _depth(left: list[int], right: list[int]) -> int:
    """Splits on the longest path from the root to a leaf."""
    deepest = 0
    stack = [(0, 0)]
    while stack:
        node, depth = stack.pop()
        if left[node] == -1:
            deepest = max(deepest, depth)
        else:
            stack += [(left[node], depth + 1), (right[node], depth + 1)]
    return deepest
