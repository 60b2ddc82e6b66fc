"""The median handling time of mv_rule_performance is measured on one clock, the case service's:
from a case's first decision to its closure. (A case opens at its first signal's event time, which
a replay sets in the past: subtracting that from a decision time mixed two clocks.)"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from statistics import median

from tests.cases.conftest import auth
from tests.support.sql import rows

DECISIONS = "select case_id, decided_at, status, reason_codes, seq from case_decisions"


def test_the_median_handling_time_runs_from_the_first_decision_to_the_closure(
    fraud_replay, client, cases_pool
) -> None:
    worked = cases_pool.take()
    steps = (
        ("/comments", {"note": "looking"}),
        ("/close", {"outcome": "false_positive", "note": "ok"}),
    )
    for path, body in steps:
        response = client.post(f"/api/cases/{worked}{path}", headers=auth("alice"), json=body)
        assert response.status_code == 200, response.text

    decided: dict[str, list[datetime]] = defaultdict(list)
    last: dict[str, tuple[int, str, str]] = {}
    for case_id, decided_at, status, reason_codes, seq in rows(fraud_replay.database, DECISIONS):
        decided[case_id].append(decided_at)
        if case_id not in last or seq > last[case_id][0]:
            last[case_id] = (seq, status, reason_codes)
    handling: dict[str, list[float]] = defaultdict(list)
    for case_id, (_, status, reason_codes) in last.items():
        if status == "closed":
            seconds = (max(decided[case_id]) - min(decided[case_id])).total_seconds()
            for signal_type in reason_codes.split(","):
                handling[signal_type].append(seconds)
    # This test's case took two readings of the one-second stepping clock.
    assert (max(decided[worked]) - min(decided[worked])).total_seconds() == 1

    measured = dict(
        rows(
            fraud_replay.database,
            "select signal_type, median_time_to_close_s from mv_rule_performance"
            " where cases_closed > 0",
        )
    )
    assert measured
    assert {signal: float(value) for signal, value in measured.items()} == {
        signal: round(median(seconds), 1) for signal, seconds in handling.items()
    }
