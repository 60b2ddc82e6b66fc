"""Drift: PSI and KS on known samples, then the monitor on the shared SQL's features of a seeded
realistic replay: 60 stable minutes raise no drift, and the producer's spend shift injected at
minute 60 is detected within DETECTION_WINDOWS windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from backtest.clock import history_end
from scoring import offline
from scoring.dataset import replay_dataset
from scoring.drift import MONITORED, DriftMonitor, DriftReport, FeatureDrift, ks, psi
from scoring.drift_report import drift_figure, judge, psi_matrix, summary
from scoring.features import FEATURE_NAMES
from scoring.model import Model
from scoring.settings import ScoringSettings
from tests.support.replay import replay_settings

STABLE_MINUTES = 60
SHIFTED_MINUTES = 15
# The window holding the shift is partly drifted; the one after it is entirely.
DETECTION_WINDOWS = 2


def test_psi_and_ks_see_a_shift_and_not_a_resample() -> None:
    rng = np.random.default_rng(5)
    reference = rng.lognormal(4.0, 0.8, 5000)
    same = rng.lognormal(4.0, 0.8, 3000)
    shifted = same * 3
    assert psi(reference, same) < 0.05
    assert ks(reference, same) < 0.05
    assert psi(reference, shifted) > 1.0
    assert ks(reference, shifted) > 0.4


def test_missing_values_count_as_their_own_bin() -> None:
    reference = np.arange(1000, dtype=float)
    live = reference.copy()
    live[:500] = np.nan
    assert psi(reference, live) > 1.0


def _reports(model: Model, times: np.ndarray, matrix: np.ndarray) -> list[DriftReport]:
    return judge(model, times, matrix, ScoringSettings(_env_file=None))


def test_stable_hour_raises_no_drift_and_the_shift_is_caught(
    embedded_postgres: None, champion: Model, tmp_path: Path
) -> None:
    minutes = STABLE_MINUTES + SHIFTED_MINUTES
    settings = replay_settings(
        0.1,
        world="realistic",
        transaction_rate=offline.TRANSACTION_RATE,
        customer_pool_size=offline.POOL,
        drift_after_minutes=STABLE_MINUTES,
    )
    # A fixed alignment of the shift to the 5-minute windows (history from 01:00 UTC today):
    # where a window cuts the shift decides which amount features cross the thresholds first.
    end = history_end(timedelta(minutes=minutes), datetime.now(UTC))
    shift_at = (end - timedelta(minutes=SHIFTED_MINUTES)).timestamp()
    with replay_dataset(settings, minutes=minutes, end=end, work_dir=tmp_path) as dataset:
        reports = _reports(champion, dataset.event_time, dataset.matrix)
    window_s = ScoringSettings(_env_file=None).drift_window_minutes * 60
    stable = [report for report in reports if report.window_end <= shift_at]
    assert len(stable) >= STABLE_MINUTES // 5 - 1
    assert [report for report in stable if report.drifted] == []
    drifted = [report for report in reports if report.drifted]
    assert drifted, "the spend shift was not detected"
    first = drifted[0]
    assert first.window_start >= shift_at - window_s
    assert first.window_start <= shift_at + (DETECTION_WINDOWS - 1) * window_s
    # The producer multiplies amounts: what drifts first is an amount feature.
    assert {"amount", "amount_to_typical"} & {item.feature for item in first.drifted}


def test_a_window_is_judged_when_the_watermark_passes_it() -> None:
    rng = np.random.default_rng(9)
    reference = rng.normal(0.0, 1.0, (1000, len(FEATURE_NAMES)))
    monitor = DriftMonitor(reference, "v1", 60.0, 50, 0.25, 0.2)
    # Two partitions a whole window apart arrive one after the other: the watermark (the
    # slower partition's time) holds the first window open until its rows are all in.
    monitor.add(0.0, reference[0])  # the first window seen is partial: never judged
    for index in range(100):
        monitor.add(120.0 + index * 0.5, reference[100 + index])
    assert monitor.advance(59.0) == []
    for index in range(100):
        monitor.add(60.0 + index * 0.5, reference[index])
    reports = monitor.advance(180.0)
    assert [(report.window_start, report.records) for report in reports] == [
        (60.0, 100),
        (120.0, 100),
    ]
    assert all(not report.drifted for report in reports)
    monitor.add(70.0, reference[0])  # late for a judged window: dropped
    assert monitor.advance(1000.0) == []


def _report(start: float, psis: dict[str, float], drifted: set[str]) -> DriftReport:
    features = tuple(
        FeatureDrift(name, psis.get(name, 0.01), 0.3 if name in drifted else 0.01, name in drifted)
        for name in MONITORED
    )
    return DriftReport("v1", start, start + 300.0, 500, features)


def test_the_drift_picture_shows_each_windows_psi_and_marks_drifted_features() -> None:
    reports = [_report(3600.0, {}, set()), _report(3900.0, {"amount": 0.9}, {"amount"})]
    values = psi_matrix(reports)
    assert values.shape == (len(MONITORED), 2)
    assert values[MONITORED.index("amount"), 1] == 0.9
    axes = drift_figure(reports, psi_threshold=0.25).axes[0]
    drawn = axes.images[0].get_array()
    assert drawn is not None and drawn.shape == values.shape
    marks = [(text.get_position(), text.get_text()) for text in axes.texts]
    assert marks == [((1, MONITORED.index("amount")), "x")]
    assert [label.get_text() for label in axes.get_xticklabels()] == ["01:00", "01:05"]
    assert summary(reports) == [
        f"01:00     500 records  stable (largest PSI 0.010, {MONITORED[0]})",
        "01:05     500 records  drifted: amount",
    ]


def test_offline_drift_draws_the_shift_of_a_replay(registry_dir: Path, tmp_path: Path) -> None:
    picture = tmp_path / "drift.png"
    argv = ["drift", "--minutes", "25", "--drift-after", "15", "--output", str(picture)]
    args = offline.parse_args(argv)
    from scoring.registry import Registry

    lines = offline.drift_job(args, Registry(registry_dir), offline.replay_end(args.minutes))
    assert picture.read_bytes()[:4] == b"\x89PNG"
    assert lines and "drifted" not in lines[0]
    assert any("drifted: " in line for line in lines[2:])
