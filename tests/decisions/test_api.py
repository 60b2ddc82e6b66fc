"""The decision API on a replay: agreement with the streaming views, auth, input, idempotency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from scoring.features import FEATURE_NAMES
from tests.decisions.conftest import auth, rows, transaction
from tests.support.replay import replay_end

pytestmark = pytest.mark.slow


def _customer_of(customers, customer_id):
    return next(customer for customer in customers if customer["customer_id"] == customer_id)


def test_an_account_the_views_score_critical_is_declined_with_the_same_reasons(
    serve, fraud_replay, customers
) -> None:
    risky = rows(
        fraud_replay,
        "select * from mv_account_risk_score_realtime where risk_level in ('critical', 'high')"
        " order by risk_score desc, account_id",
    )
    assert any(row["risk_level"] == "critical" for row in risky), "the replay has no critical"
    with serve() as served, httpx.Client(base_url=served.url) as client:
        for account in risky:
            customer = _customer_of(customers, account["customer_id"])
            body = transaction(customer, replay_end(), account_id=account["account_id"])
            answer = client.post("/v1/decisions", json=body, headers=auth("switch"))
            assert answer.status_code == 200, answer.text
            decision = answer.json()
            expected = "decline" if account["risk_level"] == "critical" else "review"
            assert decision["outcome"] in {expected, "decline"}, (account, decision)
            codes = set(decision["reason_codes"].split(","))
            assert set(account["reason_codes"].split(",")) <= codes, (account, decision)
            assert decision["risk_level"] == account["risk_level"]
            assert decision["risk_score"] == pytest.approx(float(account["risk_score"]))
            assert decision["degraded"] is False
            assert decision["rules_version"] == "v1"
            assert decision["model_version"] == served.service.model.version
            words = [reason["text"] for reason in decision["reasons"]]
            assert all(text and " " in text for text in words)
            assert_model_explained(decision)


def assert_model_explained(decision: dict) -> None:
    """A model score that acts names the features that raised it; one that does not, none."""
    acting = "model_score" in decision["reason_codes"].split(",")
    assert bool(decision["model_reasons"]) == acting, decision
    for item in decision["model_reasons"]:
        assert item["feature"] in FEATURE_NAMES and item["contribution"] > 0, decision
        text = next(r["text"] for r in decision["reasons"] if r["code"] == "model_score")
        assert item["feature"] in text


def test_an_honest_accounts_ordinary_payment_is_approved(serve, fraud_replay, customers) -> None:
    # The fraud replay puts fraud on almost every customer: take the accounts the views do not
    # score and no label names.
    quiet = rows(
        fraud_replay,
        "select customers.customer_id from int_customers as customers"
        " left join mv_account_risk_score_realtime as risk"
        " on customers.primary_account_id = risk.account_id"
        " left join int_fraud_labels as labels"
        " on customers.primary_account_id = labels.account_id"
        " where risk.account_id is null and labels.account_id is null"
        " order by customers.customer_id",
    )
    assert len(quiet) >= 10
    latest = {
        row["account_id"]: row
        for row in rows(
            fraud_replay,
            "select * from int_transactions where event_time <= %s order by event_time, event_id",
            (replay_end(),),
        )
    }
    with serve() as served, httpx.Client(base_url=served.url) as client:
        for row in quiet:
            customer = _customer_of(customers, row["customer_id"])
            previous = latest[customer["primary_account_id"]]
            # Ordinary: where the customer last paid, two minutes on (honest traffic spaces an
            # account's payments at least 16 s apart), half the typical spend, a known device.
            body = transaction(
                customer,
                replay_end() + timedelta(minutes=2),
                latitude=float(previous["latitude"]),
                longitude=float(previous["longitude"]),
            )
            decision = client.post("/v1/decisions", json=body, headers=auth("switch")).json()
            assert decision["outcome"] == "approve", decision
            assert decision["reasons"] == []
            assert decision["degraded"] is False
            assert decision["open_case_id"] is None
            assert decision["model_score"] < served.service.rule_set.decisions.model_review_score


def test_request_checks_review_an_unusual_payment_of_an_honest_customer(serve, customers) -> None:
    customer = customers[0]
    large = (Decimal(customer["typical_spend"]) * 8).quantize(Decimal("0.01"))
    body = transaction(
        customer, replay_end(), amount=large, device_id="dev-never-seen", channel="ecommerce"
    )
    with serve() as served, httpx.Client(base_url=served.url) as client:
        decision = client.post("/v1/decisions", json=body, headers=auth("switch")).json()
    codes = set(decision["reason_codes"].split(","))
    assert {"amount_vs_typical_spend", "new_device"} <= codes
    assert decision["outcome"] in {"review", "decline"}
    assert_model_explained(decision)


def test_keys_are_required_and_scoped(serve, customers) -> None:
    body = transaction(customers[1], replay_end())
    with serve() as served, httpx.Client(base_url=served.url) as client:
        missing = client.post("/v1/decisions", json=body)
        assert missing.status_code == 401
        assert missing.headers["WWW-Authenticate"] == "Bearer"
        wrong = client.post(
            "/v1/decisions", json=body, headers={"Authorization": "Bearer dsk_not-a-key"}
        )
        assert wrong.status_code == 401
        read_only = client.post("/v1/decisions", json=body, headers=auth("auditor"))
        assert read_only.status_code == 403
        made = client.post("/v1/decisions", json=body, headers=auth("switch"))
        assert made.status_code == 200
        assert made.json()["client"] == "switch"
        path = f"/v1/decisions/{body['event_id']}"
        assert client.get(path, headers=auth("switch")).status_code == 403
        assert client.get(path, headers=auth("auditor")).json() == made.json()
        assert client.get("/v1/decisions/nope", headers=auth("ops")).status_code == 404
        assert client.get("/health").status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"event_time": "2026-01-01T00:00:00"}, "event_time"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"card_token": "4111111111111111"}, "card_token"),
        ({"is_fraud": True}, "is_fraud"),
        ({"pan": "4111111111111111"}, "pan"),
        ({"event_id": None}, "event_id"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(serve, customers, change, field) -> None:
    body = {**transaction(customers[2], replay_end()), **change}
    with serve() as served, httpx.Client(base_url=served.url) as client:
        answer = client.post("/v1/decisions", json=body, headers=auth("switch"))
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == field
        assert answer.json()["detail"].startswith(f"{field}: ")
        assert served.service.ledger.get(body["event_id"]) is None
        assert served.service.stats.rejected == 1


def test_a_body_that_is_not_one_json_object_is_a_422(serve) -> None:
    with serve() as served, httpx.Client(base_url=served.url) as client:
        for content in (b"{not json", b"[1, 2]"):
            answer = client.post("/v1/decisions", content=content, headers=auth("switch"))
            assert answer.status_code == 422
            assert answer.json()["field"] == "body"
        huge = client.post("/v1/decisions", content=b" " * 20_000, headers=auth("switch"))
        assert huge.status_code == 413


def test_a_retry_gets_the_first_decision_and_a_changed_one_is_refused(serve, customers) -> None:
    body = transaction(customers[3], replay_end())
    with serve() as served, httpx.Client(base_url=served.url) as client:
        with ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(
                    lambda _: client.post("/v1/decisions", json=body, headers=auth("switch")),
                    range(4),
                )
            )
        assert {answer.status_code for answer in answers} == {200}
        assert len({answer.content for answer in answers}) == 1
        replayed = [answer.headers.get("Idempotent-Replayed") for answer in answers]
        assert replayed.count("true") == 3
        assert sum(served.service.stats.outcomes.values()) == 1
        later = client.post("/v1/decisions", json=body, headers=auth("switch"))
        assert later.content == answers[0].content
        changed = client.post(
            "/v1/decisions", json={**body, "amount": "999.99"}, headers=auth("switch")
        )
        assert changed.status_code == 409
        assert changed.json()["field"] == "event_id"
