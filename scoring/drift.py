"""Drift of the live features against the model's reference sample: per-feature PSI and KS over
event-time windows. Pure: the service feeds it records and publishes what it reports."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from scoring.features import FEATURE_NAMES

PSI_BINS = 10
# Features left out of drift: they move with how long the stream has run, not with the
# customers. Every comparison with the account's history (and the distance from its previous
# transaction) fills up during a stream's first feature_history_hours: a stable stream would
# look drifted while warming up.
CLOCK_DEPENDENT = frozenset(
    {
        "amount_to_history_mean",
        "gap_to_typical_gap",
        "count_10m_to_typical",
        "is_new_merchant",
        "is_new_city",
        "is_new_account_device",
        "km_from_previous",
    }
)
MONITORED: tuple[str, ...] = tuple(name for name in FEATURE_NAMES if name not in CLOCK_DEPENDENT)
# Empty bins get this share, so PSI stays finite (a bin empty in one window and not the other).
_EPSILON = 1e-4


def _bin_counts(inner_edges: np.ndarray, values: np.ndarray) -> np.ndarray:
    bins = np.searchsorted(inner_edges, values, side="right")
    return np.bincount(bins, minlength=len(inner_edges) + 1)


def psi(reference: np.ndarray, live: np.ndarray, bins: int = PSI_BINS) -> float:
    """Population stability index of `live` against `reference` on the reference's quantile bins.

    Missing values (NaN) form a bin of their own, so a feature that starts or stops being missing
    drifts too.
    """
    ref_missing, live_missing = np.isnan(reference), np.isnan(live)
    ref_values, live_values = reference[~ref_missing], live[~live_missing]
    inner = np.array([])
    if len(ref_values):
        edges = np.unique(np.quantile(ref_values, np.linspace(0, 1, bins + 1)))
        inner = edges[1:-1]
    ref_share = np.append(_bin_counts(inner, ref_values), ref_missing.sum()) / max(
        len(reference), 1
    )
    live_share = np.append(_bin_counts(inner, live_values), live_missing.sum()) / max(len(live), 1)
    ref_share = np.maximum(ref_share, _EPSILON)
    live_share = np.maximum(live_share, _EPSILON)
    return float(np.sum((live_share - ref_share) * np.log(live_share / ref_share)))


def ks(reference: np.ndarray, live: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic (largest gap of the two CDFs), NaNs left out."""
    ref_values = np.sort(reference[~np.isnan(reference)])
    live_values = np.sort(live[~np.isnan(live)])
    if not len(ref_values) or not len(live_values):
        return 0.0
    points = np.concatenate([ref_values, live_values])
    ref_cdf = np.searchsorted(ref_values, points, side="right") / len(ref_values)
    live_cdf = np.searchsorted(live_values, points, side="right") / len(live_values)
    return float(np.max(np.abs(ref_cdf - live_cdf)))


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    psi: float
    ks: float
    drifted: bool


@dataclass(frozen=True)
class DriftReport:
    model_version: str
    window_start: float  # epoch seconds, event time
    window_end: float
    records: int
    features: tuple[FeatureDrift, ...]

    @property
    def drifted(self) -> tuple[FeatureDrift, ...]:
        return tuple(item for item in self.features if item.drifted)

    def as_message(self) -> dict[str, Any]:
        worst = max(self.features, key=lambda item: item.psi)
        return {
            "model_version": self.model_version,
            "window_start": _iso(self.window_start),
            "window_end": _iso(self.window_end),
            "records": self.records,
            "drifted_features": ",".join(item.feature for item in self.drifted),
            "max_psi": round(worst.psi, 4),
            "max_psi_feature": worst.feature,
            "max_ks": round(max(item.ks for item in self.features), 4),
            "features": [
                {"feature": item.feature, "psi": round(item.psi, 4), "ks": round(item.ks, 4)}
                for item in self.features
            ],
        }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()


def compare(
    reference: np.ndarray,
    live: np.ndarray,
    *,
    psi_threshold: float,
    ks_threshold: float,
    names: Sequence[str] = MONITORED,
) -> tuple[FeatureDrift, ...]:
    """PSI and KS of each monitored feature (columns in FEATURE_NAMES order); drifted when both
    cross their thresholds (PSI says the shape moved, KS that it is not the noise of one bin)."""
    results = []
    for name in names:
        column = FEATURE_NAMES.index(name)
        value_psi = psi(reference[:, column], live[:, column])
        value_ks = ks(reference[:, column], live[:, column])
        results.append(
            FeatureDrift(
                name, value_psi, value_ks, value_psi > psi_threshold and value_ks > ks_threshold
            )
        )
    return tuple(results)


@dataclass
class DriftMonitor:
    """Collects live rows into tumbling event-time windows; a window is judged once, when the
    watermark (the event time every input has reached) passes its end. Rows of a window already
    judged are dropped. The first window seen is not judged: it began before the scorer (or the
    stream) did, so it holds a part of the window only, and a stream's first minutes are its
    warm-up."""

    reference: np.ndarray
    model_version: str
    window_s: float
    min_records: int
    psi_threshold: float
    ks_threshold: float
    _open: dict[float, list[np.ndarray]] = field(default_factory=dict)
    _closed_before: float = -math.inf
    _first_window: float | None = None

    def add(self, event_time: float, row: np.ndarray) -> None:
        start = math.floor(event_time / self.window_s) * self.window_s
        if self._first_window is None:
            self._first_window = start
        if start >= self._closed_before and start != self._first_window:
            self._open.setdefault(start, []).append(row)

    def add_batch(self, times: np.ndarray, matrix: np.ndarray) -> None:
        """add() for many rows at once (row i of `matrix` at `times[i]`; NaN times skipped)."""
        known = ~np.isnan(times)
        starts = np.floor(times[known] / self.window_s) * self.window_s
        rows = matrix[known]
        if self._first_window is None and len(starts):
            self._first_window = float(starts[np.argmin(times[known])])
        for start in np.unique(starts):
            window = float(start)
            if window >= self._closed_before and window != self._first_window:
                self._open.setdefault(window, []).extend(rows[starts == start])

    def advance(self, watermark: float) -> list[DriftReport]:
        """Judge every window that ends at or before `watermark`; reports oldest first."""
        reports = []
        for window in sorted(self._open):
            if window + self.window_s > watermark:
                break
            report = self._judge(window, self._open.pop(window))
            self._closed_before = window + self.window_s
            if report is not None:
                reports.append(report)
        return reports

    def _judge(self, window: float, rows: list[np.ndarray]) -> DriftReport | None:
        if len(rows) < self.min_records:
            return None
        features = compare(
            self.reference,
            np.vstack(rows),
            psi_threshold=self.psi_threshold,
            ks_threshold=self.ks_threshold,
        )
        return DriftReport(self.model_version, window, window + self.window_s, len(rows), features)
