"""The decision service's declines and reviews are detections: a decline opens a case.

A clean replay (no fraud, so no other signal) on the embedded PostgreSQL with decisions on the
`decisions` topic for some of its payments, as the service publishes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from backtest.replay import ReplayResult
from offline.load import Message
from offline.replay import history
from producers.models import Transaction
from tests.support.replay import replay_end, replay_settings, replay_until_end, rows

MINUTES = 10
# Outcome, reason codes, open case at decision time, degraded: one decided payment each.
DECISIONS: dict[str, tuple[str, str, str | None, bool]] = {
    "declined": ("decline", "model_score,new_device", None, False),
    "approved": ("approve", "", None, False),
    "reviewed": ("review", "amount_vs_typical_spend", None, False),
    # Decided while the account had an open case: an echo of the views, no detection.
    "echo": ("decline", "open_case,velocity", "case-1", False),
    # Fail-closed on a stalled database: the fallback policy, not a finding.
    "degraded": ("decline", "degraded", None, True),
}


def _settings() -> Any:
    return replay_settings(0.0, customer_pool_size=100, transaction_rate=5.0)


@pytest.fixture(scope="module")
def decided() -> dict[str, Transaction]:
    """One payment of a distinct account per decision."""
    payments: dict[str, Transaction] = {}
    for record in history(_settings(), end=replay_end(), minutes=MINUTES, events=None):
        if not isinstance(record, Transaction) or record.account_id in {
            payment.account_id for payment in payments.values()
        }:
            continue
        payments[list(DECISIONS)[len(payments)]] = record
        if len(payments) == len(DECISIONS):
            break
    return payments


def _message(payment: Transaction, decision: tuple[str, str, str | None, bool]) -> Message:
    outcome, reason_codes, open_case_id, degraded = decision
    decided_at = payment.event_time + timedelta(milliseconds=20)
    value = {
        "event_id": payment.event_id,
        "account_id": payment.account_id,
        "customer_id": payment.customer_id,
        "outcome": outcome,
        "score": 0.95,
        "reason_codes": reason_codes,
        "open_case_id": open_case_id,
        "degraded": degraded,
        "rules_version": "v1",
        "model_version": "m1",
        "amount": float(payment.amount),
        "event_time": payment.event_time.isoformat(),
        "decided_at": decided_at.isoformat(),
        "elapsed_ms": 20.0,
    }
    return Message("decisions", decided_at, json.dumps(value).encode())


@pytest.fixture(scope="module")
def replay(
    embedded_postgres: None,
    tmp_path_factory: pytest.TempPathFactory,
    decided: dict[str, Transaction],
) -> Iterator[ReplayResult]:
    yield from replay_until_end(
        tmp_path_factory,
        "decision-replay",
        _settings(),
        minutes=MINUTES,
        extra_messages=[_message(decided[name], DECISIONS[name]) for name in DECISIONS],
    )


def test_a_decline_opens_a_case_with_the_decisions_reasons(
    replay: ReplayResult, decided: dict[str, Transaction]
) -> None:
    declined = decided["declined"]
    cases = rows(replay, "select account_id, severity, reason_codes from mv_open_fraud_cases")
    assert cases == [(declined.account_id, "high", "decision_decline")]
    # The open case's detections carry the decision's reasons.
    reasons = rows(
        replay,
        "select signals.reason from mv_open_fraud_cases as open_cases"
        " inner join int_case_signals as cases on open_cases.case_id = cases.case_id"
        " inner join mv_signals as signals on cases.signal_id = signals.signal_id",
    )
    assert len(reasons) == 1
    assert "decline" in reasons[0][0] and "(model_score,new_device)" in reasons[0][0]
    members = rows(replay, "select signal_type, event_id from int_signal_transactions")
    assert ("decision_decline", declined.event_id) in members


def test_a_review_makes_the_account_medium_risk_and_an_approve_nothing(
    replay: ReplayResult, decided: dict[str, Transaction]
) -> None:
    levels = dict(rows(replay, "select account_id, risk_level from mv_account_risk_score_realtime"))
    assert levels == {
        decided["declined"].account_id: "high",
        decided["reviewed"].account_id: "medium",
    }
    # The approve, the echo of an open case and the degraded decline raise no signal.
    assert rows(replay, "select signal_type, count(*) from mv_signals group by 1 order by 1") == [
        ("decision_decline", 1),
        ("decision_review", 1),
    ]
