"""A drifted window as an alert the alerter delivers: a message in the shape of a case change
(alerter/cases.py), so drift reaches Slack, the SIEM or stdout through the alerter's routing,
rate limits, retries and de-duplication. One alert per model version and window."""

from __future__ import annotations

from typing import Any

from scoring.drift import DriftReport

DRIFT_REASON = "model_drift"


def drift_alert(report: DriftReport) -> dict[str, Any]:
    message = report.as_message()
    drifted = ", ".join(
        f"{item.feature} (PSI {item.psi:.2f}, KS {item.ks:.2f})" for item in report.drifted
    )
    return {
        "case_id": f"drift_{report.model_version}_{int(report.window_start)}",
        "account_id": f"model:{report.model_version}",
        "customer_id": "model",
        "severity": "high",
        "risk_score": round(min(1.0, float(message["max_psi"])), 4),
        "recommended_action": f"Feature drift: {drifted}; check the input, then `make retrain`",
        "reason_codes": DRIFT_REASON,
        "opened_at": message["window_start"],
        "updated_at": message["window_end"],
    }
