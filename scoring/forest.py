"""Isolation Forest scoring in vectorised NumPy: the same number as scikit-learn's
`score_samples`, without its per-tree dispatch (the scorer's largest cost per batch). The fitted
forest stays scikit-learn's (trained and saved by it); only the evaluation is done here, and a
test holds the two equal."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import IsolationForest

_EULER_GAMMA = 0.5772156649015329


def average_path_length(n: np.ndarray) -> np.ndarray:
    """c(n): the mean path length of an unsuccessful search in a binary tree of n samples."""
    n = np.asarray(n, dtype=np.float64)
    result = np.zeros_like(n)
    two = n == 2
    many = n > 2
    result[two] = 1.0
    result[many] = 2.0 * (np.log(n[many] - 1.0) + _EULER_GAMMA) - 2.0 * (n[many] - 1.0) / n[many]
    return result


class FastForest:
    """score_samples of a fitted IsolationForest (higher = more typical, as scikit-learn).

    Each tree's leaf is found by its compiled `apply`; a leaf's path length (its depth plus
    c(samples in it)) is computed once here, where scikit-learn rebuilds decision paths per call.
    """

    def __init__(self, forest: IsolationForest) -> None:
        self._trees = [estimator.tree_ for estimator in forest.estimators_]
        self._leaf_paths = [_leaf_path_lengths(tree) for tree in self._trees]
        self._normaliser = float(average_path_length(np.array([forest.max_samples_]))[0])

    def score_samples(self, matrix: np.ndarray) -> np.ndarray:
        # scikit-learn's trees compare float32 features.
        values = np.ascontiguousarray(matrix, dtype=np.float32)
        total = np.zeros(len(values), dtype=np.float64)
        for tree, paths in zip(self._trees, self._leaf_paths, strict=True):
            total += paths[tree.apply(values)]
        return -np.power(2.0, -(total / len(self._trees)) / self._normaliser)


def _leaf_path_lengths(tree: object) -> np.ndarray:
    left = tree.children_left  # type: ignore[attr-defined]
    right = tree.children_right  # type: ignore[attr-defined]
    depth = np.zeros(len(left), dtype=np.float64)
    for node in range(len(left)):  # children are numbered after their parent
        if left[node] != -1:
            depth[left[node]] = depth[right[node]] = depth[node] + 1
    leaves = left == -1
    depth[leaves] += average_path_length(tree.n_node_samples[leaves])  # type: ignore[attr-defined]
    return depth
