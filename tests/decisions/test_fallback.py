"""Fallback when the database stalls or is away, and the concurrency bound: real sockets."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from tests.decisions.conftest import auth, transaction
from tests.support.replay import replay_end
from tests.support.served import StalledServer, free_port

pytestmark = pytest.mark.slow

# Generous against a slow machine, small against libpq, which would wait for ever.
BUDGET_MS = 200
ANSWERED_WITHIN_MS = 5000


@pytest.mark.parametrize(("policy", "outcome"), [("open", "approve"), ("closed", "decline")])
def test_a_stalled_database_gives_a_degraded_decision_within_the_budget(
    serve, customers, policy, outcome
) -> None:
    with (
        StalledServer() as stalled,
        serve(database_url=stalled.dsn, lookup_budget_ms=BUDGET_MS, fallback=policy) as served,
        httpx.Client(base_url=served.url, timeout=30) as client,
    ):
        for customer in customers[:3]:
            answer = client.post(
                "/v1/decisions", json=transaction(customer, replay_end()), headers=auth("switch")
            )
            decision = answer.json()
            assert answer.status_code == 200, decision
            assert decision["degraded"] is True
            assert decision["outcome"] == outcome
            degraded = [reason for reason in decision["reasons"] if reason["code"] == "degraded"]
            assert degraded and f"fail-{policy}" in degraded[0]["text"]
            assert decision["elapsed_ms"] < ANSWERED_WITHIN_MS
        # The service really tried the stalled database (it was not skipped).
        assert stalled.accepted


def test_a_database_that_is_away_gives_degraded_decisions(serve, customers) -> None:
    away = f"postgresql://nobody@127.0.0.1:{free_port()}/dev"
    with serve(database_url=away) as served, httpx.Client(base_url=served.url) as client:
        decision = client.post(
            "/v1/decisions", json=transaction(customers[0], replay_end()), headers=auth("switch")
        ).json()
        assert decision["degraded"] is True
        assert decision["outcome"] == "approve"
        assert client.get("/health").json()["last_database_error"]


def test_fail_open_still_applies_the_request_checks(serve, customers) -> None:
    customer = customers[0]
    body = transaction(customer, replay_end(), amount=Decimal("5000.00"), channel="ecommerce")
    with (
        StalledServer() as stalled,
        serve(database_url=stalled.dsn, lookup_budget_ms=BUDGET_MS) as served,
        httpx.Client(base_url=served.url, timeout=30) as client,
    ):
        decision = client.post("/v1/decisions", json=body, headers=auth("switch")).json()
    assert decision["degraded"] is True
    assert "card_not_present_high_value" in decision["reason_codes"].split(",")
    assert decision["outcome"] == "review"


def test_beyond_the_concurrency_bound_the_answer_is_429_with_retry_after(serve, customers) -> None:
    """Two requests hang on a stalled database (budget 3 s); the other three are refused."""
    requests = 5
    start = threading.Barrier(requests)

    def post(index: int) -> httpx.Response:
        body = transaction(customers[index], replay_end())
        with httpx.Client(base_url=served.url, timeout=30) as client:
            start.wait()
            return client.post("/v1/decisions", json=body, headers=auth("switch"))

    with (
        StalledServer() as stalled,
        serve(
            database_url=stalled.dsn, lookup_budget_ms=3000, max_in_flight=2, retry_after_s=7
        ) as served,
        ThreadPoolExecutor(requests) as pool,
    ):
        answers = list(pool.map(post, range(requests)))
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200, 200, 429, 429, 429]
    for answer in answers:
        if answer.status_code == 429:
            assert answer.headers["Retry-After"] == "7"
        else:
            assert answer.json()["degraded"] is True
    assert served.service.stats.overloaded == 3
    assert sum(served.service.stats.outcomes.values()) == 2
