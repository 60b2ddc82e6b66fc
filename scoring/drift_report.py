"""Drift seen offline: the scorer's drift monitor run over a replay's features, as the service
runs it on the live topic, and a picture of it (PSI per monitored feature and window, drifted
windows marked) for `python -m scoring.offline drift`."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from matplotlib.figure import Figure

from scoring.drift import MONITORED, DriftMonitor, DriftReport
from scoring.model import Model
from scoring.settings import ScoringSettings


def judge(
    model: Model, times: np.ndarray, matrix: np.ndarray, settings: ScoringSettings
) -> list[DriftReport]:
    """The reports the service would publish for these rows (row i at epoch `times[i]`), fed in
    event-time order with the watermark at each row's time."""
    monitor = DriftMonitor(
        model.reference,
        model.version,
        settings.drift_window_minutes * 60,
        settings.drift_min_records,
        settings.drift_psi_threshold,
        settings.drift_ks_threshold,
    )
    reports = []
    for index in np.argsort(times, kind="stable"):
        monitor.add(float(times[index]), matrix[index])
        reports += monitor.advance(float(times[index]))
    return reports


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%H:%M")


def psi_matrix(reports: list[DriftReport]) -> np.ndarray:
    """PSI of each monitored feature (rows) in each judged window (columns)."""
    return np.array(
        [[item.psi for item in report.features] for report in reports], dtype=float
    ).T.reshape(len(MONITORED), len(reports))


def drift_figure(reports: list[DriftReport], psi_threshold: float) -> Figure:
    figure = Figure(figsize=(9.0, 4.5), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    values = psi_matrix(reports)
    image = axes.imshow(
        values, aspect="auto", cmap="Reds", vmin=0.0, vmax=max(psi_threshold * 2, 0.01)
    )
    figure.colorbar(image, ax=axes, label=f"PSI (drift above {psi_threshold} with KS)")
    axes.set_yticks(range(len(MONITORED)), MONITORED)
    axes.set_xticks(range(len(reports)), [_clock(report.window_start) for report in reports])
    axes.tick_params(axis="x", labelrotation=45)
    for column, report in enumerate(reports):
        drifted = {item.feature for item in report.drifted}
        for row, name in enumerate(MONITORED):
            if name in drifted:
                axes.text(column, row, "x", ha="center", va="center", color="black")
    version = reports[0].model_version if reports else "-"
    axes.set_title(
        f"Feature drift against model {version}'s reference (x: drifted), by window (UTC)"
    )
    return figure


def summary(reports: list[DriftReport]) -> list[str]:
    """One line per judged window: its start, records, and the drifted features or the worst PSI."""
    lines = []
    for report in reports:
        worst = max(report.features, key=lambda item: item.psi)
        verdict = (
            "drifted: " + ", ".join(item.feature for item in report.drifted)
            if report.drifted
            else f"stable (largest PSI {worst.psi:.3f}, {worst.feature})"
        )
        lines.append(f"{_clock(report.window_start)}  {report.records:>6} records  {verdict}")
    return lines
