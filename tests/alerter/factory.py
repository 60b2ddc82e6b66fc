"""Case-change messages shaped like the RisingWave sink's JSON (FORMAT PLAIN ENCODE JSON)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from alerter.cases import FraudCase

OPENED = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _sink_time(moment: datetime) -> str:
    # RisingWave's JSON encoder writes timestamptz with microseconds and a Z.
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def case_message(
    number: int,
    severity: str = "high",
    reason_codes: str = "velocity,cnp_spike",
    risk_score: float = 0.82,
    updated_s: int = 0,
) -> bytes:
    """The JSON value of one case change; `number` picks the account and so the case."""
    payload = {
        "case_id": f"case-A{number:08d}-1",
        "account_id": f"A{number:08d}",
        "customer_id": f"C{number:06d}",
        "severity": severity,
        "risk_score": risk_score,
        "recommended_action": "block card and call the customer",
        "reason_codes": reason_codes,
        "opened_at": _sink_time(OPENED),
        "updated_at": _sink_time(OPENED + timedelta(seconds=updated_s)),
    }
    return json.dumps(payload).encode()


def case(number: int, **fields: object) -> FraudCase:
    return FraudCase.model_validate_json(case_message(number, **fields))  # type: ignore[arg-type]


def alert_id(number: int, severity: str = "high") -> str:
    return f"case-A{number:08d}-1:{severity}"
