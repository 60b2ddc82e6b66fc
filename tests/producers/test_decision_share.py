"""DECISION_API_URL / DECISION_SHARE: which transactions go through the decision service."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from producers.decision_client import DecisionClient, selected
from producers.models import Transaction
from producers.settings import Settings
from tests.support.served import free_port


def _transaction(event_id: str) -> Transaction:
    return Transaction(
        event_id=event_id,
        event_time=datetime(2026, 1, 1, tzinfo=UTC),
        customer_id="C000001",
        account_id="A00000001",
        card_token=None,
        card_last4=None,
        amount=Decimal("12.50"),
        merchant_id="M1",
        merchant_name="Shop",
        merchant_category="grocery",
        channel="transfer",
        device_id=None,
        latitude=0.0,
        longitude=0.0,
        city="Hobart",
        country="AU",
        status="approved",
    )


def test_the_share_is_a_pure_function_of_the_event_id() -> None:
    ids = [f"evt-{index}" for index in range(20_000)]
    chosen = [event_id for event_id in ids if selected(event_id, 0.1)]
    assert chosen == [event_id for event_id in ids if selected(event_id, 0.1)]
    assert 0.09 < len(chosen) / len(ids) < 0.11
    assert not any(selected(event_id, 0.0) for event_id in ids[:1000])
    assert all(selected(event_id, 1.0) for event_id in ids[:1000])
    # A larger share keeps every transaction a smaller one chose.
    assert set(chosen) <= {event_id for event_id in ids if selected(event_id, 0.2)}


def test_an_unreachable_service_leaves_the_transaction_to_the_producer() -> None:
    client = DecisionClient(f"http://127.0.0.1:{free_port()}", "dsk_x", 1.0)
    transaction = _transaction("evt-1")
    assert client.wants(transaction)
    assert client.decide(transaction) is False
    assert client.fell_back == 1
    assert "published_directly=1" in client.summary()


def test_a_share_without_a_url_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None, decision_share=0.1)
    assert Settings.describe_error(error.value).startswith("DECISION_SHARE: needs DECISION_API_URL")
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None, decision_api_url="ftp://x")
    assert Settings.describe_error(error.value).startswith("DECISION_API_URL: ")
