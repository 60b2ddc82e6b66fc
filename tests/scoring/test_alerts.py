"""A drifted window reaches the alerter: its alert is a valid case change the default policy
admits, with one identity per model version and window."""

from __future__ import annotations

import json

import numpy as np

from alerter.cases import FraudCase, Policy
from scoring.alerts import drift_alert
from scoring.drift import DriftMonitor
from scoring.features import FEATURE_NAMES


def _drifted_report():
    rng = np.random.default_rng(2)
    reference = rng.lognormal(3.0, 0.5, (2000, len(FEATURE_NAMES)))
    monitor = DriftMonitor(reference, "v0007", 300.0, 100, 0.25, 0.2)
    live = reference[:400] * np.where(np.arange(len(FEATURE_NAMES)) == 0, 3.0, 1.0)
    monitor.add(1_800_000_000.0 - 1.0, live[0])  # the partial first window, never judged
    for index, row in enumerate(live):
        monitor.add(1_800_000_000.0 + index * 0.5, row)
    assert monitor.advance(1_800_000_000.0 + 299.0) == []
    (closing,) = monitor.advance(1_800_000_000.0 + 300.0)
    return closing


def test_a_drift_alert_is_a_case_change_the_alerter_admits() -> None:
    report = _drifted_report()
    assert [item.feature for item in report.drifted] == ["amount"]
    case = FraudCase.model_validate_json(json.dumps(drift_alert(report)))
    assert Policy("high", frozenset()).admits(case)
    assert case.alert_id == "drift_v0007_1800000000:high"
    assert case.reason_codes == ("model_drift",)
    assert "amount (PSI" in case.recommended_action
