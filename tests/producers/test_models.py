import json
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from producers.models import EVENT_TYPES, FraudLabel, Transaction

TRANSACTION = {
    "event_id": "0d5b8c1e-7d1e-4c55-9a8e-1b2c3d4e5f60",
    "event_time": datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=UTC),
    "customer_id": "C000001",
    "account_id": "A00000001",
    "card_token": "tok_0123456789abcdef",
    "card_last4": "4242",
    "amount": Decimal("12.50"),
    "merchant_id": "M00001",
    "merchant_name": "Corner Store",
    "merchant_category": "grocery",
    "channel": "ecommerce",
    "device_id": "dev_0123456789ab",
    "latitude": -33.87,
    "longitude": 151.21,
    "city": "Sydney",
    "country": "AU",
    "status": "approved",
}


def test_payload_is_json_with_utc_z_timestamps_and_decimal_strings() -> None:
    payload = json.loads(Transaction(**TRANSACTION).payload())
    assert payload["event_time"] == "2026-11-22T09:30:15.123Z"
    assert payload["amount"] == "12.50"
    assert payload["currency"] == "AUD"


def test_non_utc_offsets_are_converted_to_utc() -> None:
    local = datetime(2026, 11, 22, 20, 30, tzinfo=timezone(timedelta(hours=11)))
    transaction = Transaction(**{**TRANSACTION, "event_time": local})
    assert json.loads(transaction.payload())["event_time"] == "2026-11-22T09:30:00.000Z"


def test_naive_timestamps_are_rejected() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        Transaction(**{**TRANSACTION, "event_time": datetime(2026, 11, 22, 9, 30)})


def test_extra_fields_are_forbidden() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Transaction(**TRANSACTION, pan="4111111111111111")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", Decimal("0")),
        ("amount", Decimal("-5")),
        ("latitude", 91.0),
        ("longitude", -181.0),
        ("card_token", "4111111111111111"),
        ("card_last4", "42424"),
        ("channel", "teleport"),
    ],
)
def test_invalid_values_are_rejected(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Transaction(**{**TRANSACTION, field: value})


def test_ground_truth_is_readable_but_never_in_the_payload() -> None:
    transaction = Transaction(
        **TRANSACTION,
        is_fraud=True,
        fraud_scenario="card_testing",
        scenario_instance_id="instance-1",
    )
    assert transaction.is_fraud
    assert transaction.fraud_scenario == "card_testing"
    payload = json.loads(transaction.payload())
    assert not {"is_fraud", "fraud_scenario", "scenario_instance_id"} & payload.keys()


def test_every_event_type_declares_topic_and_key() -> None:
    topics = [model.topic for model in EVENT_TYPES]
    assert len(set(topics)) == len(topics)
    for model in EVENT_TYPES:
        assert model.key_field in model.model_fields


def test_key_is_the_account_for_transactions() -> None:
    assert Transaction(**TRANSACTION).key == "A00000001"


def test_card_not_present_needs_a_card_and_a_remote_channel() -> None:
    assert Transaction(**TRANSACTION).is_card_not_present
    assert not Transaction(**{**TRANSACTION, "channel": "pos"}).is_card_not_present
    transfer = {**TRANSACTION, "channel": "transfer", "card_token": None, "card_last4": None}
    assert not Transaction(**transfer).is_card_not_present


def test_label_is_keyed_by_customer_and_timestamped_at_its_end() -> None:
    start = datetime(2026, 11, 22, tzinfo=UTC)
    label = FraudLabel(
        instance_id="i1",
        scenario="velocity_burst",
        customer_id="C000009",
        account_id="A00000011",
        card_token=None,
        event_ids=["e1", "e2"],
        started_at=start,
        ended_at=start + timedelta(seconds=40),
    )
    assert label.key == "C000009"
    assert label.timestamp == start + timedelta(seconds=40)
    assert json.loads(label.payload())["ended_at"] == "2026-11-22T00:00:40.000Z"


PAN_LIKE = re.compile(rb"\d{13,19}")


def test_no_payload_of_a_generated_stream_holds_a_card_number(mixed_stream: list) -> None:
    for record in mixed_stream:
        assert not PAN_LIKE.search(record.payload()), record


def test_every_amount_in_a_generated_stream_has_exactly_two_decimals(mixed_stream: list) -> None:
    for record in mixed_stream[:5000]:
        payload = json.loads(record.payload())
        for field in ("amount", "typical_spend"):
            if field in payload:
                assert re.fullmatch(r"\d+\.\d{2}", payload[field]), (field, payload[field])
