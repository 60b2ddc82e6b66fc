"""The model's features of a hand-made account history, computed by the shared SQL on
PostgreSQL (mv_transaction_features, the view RisingWave runs) and by the decision service for
the same payments (decisions/features.py): each value worked out by hand below."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from decisions.features import feature_record
from decisions.state import AccountState, Earlier
from offline.database import open_database
from offline.features import read_features
from offline.load import create_raw_tables, load_messages, records_as_messages
from producers.models import KycProfile, Transaction
from scoring.dataset import build_features
from scoring.features import FEATURE_NAMES, HISTORY_HOURS
from tests.support.replay import require_embedded_postgres

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SYDNEY = (-33.8688, 151.2093)
MELBOURNE = (-37.8136, 144.9631)
# (seconds after START, amount, merchant, city, device): e0 lies 25 hours before the rest,
# outside every later transaction's 24-hour history.
SEQUENCE = [
    (-25 * 3600, "1000.00", "m9", "Sydney", "dev-home"),
    (0, "50.00", "m1", "Sydney", "dev-home"),
    (100, "100.00", "m1", "Sydney", "dev-home"),
    (300, "30.00", "m2", "Sydney", "dev-home"),
    (400, "200.00", "m3", "Melbourne", "dev-new"),
]
NULL_HISTORY = dict.fromkeys(
    (
        "amount_to_history_mean",
        "gap_to_typical_gap",
        "count_10m_to_typical",
        "is_new_merchant",
        "is_new_city",
        "is_new_account_device",
        "km_from_previous",
    )
)
# By hand. e2: history [e1] (mean amount 50). e3: history [e1, e2]: mean amount 75, mean gap
# 100 s, 200 s since e2, two payments in its last 10 minutes (2 x 100 / 600). e4: history
# [e1, e2, e3]: mean amount 60, mean gap (300 - 0) / 2 = 150 s, 100 s since e3, three in its
# last 10 minutes (3 x 150 / 600); merchant, city and device all new; Sydney to Melbourne.
EXPECTED: list[dict[str, Any]] = [
    {"history_transactions": 0, **NULL_HISTORY},
    {"history_transactions": 0, **NULL_HISTORY},
    {
        "history_transactions": 1,
        "amount_to_history_mean": 2.0,
        "gap_to_typical_gap": None,
        "count_10m_to_typical": None,
        "is_new_merchant": 0,
        "is_new_city": 0,
        "is_new_account_device": 0,
        "km_from_previous": 0.0,
    },
    {
        "history_transactions": 2,
        "amount_to_history_mean": 0.4,
        "gap_to_typical_gap": 2.0,
        "count_10m_to_typical": 1 / 3,
        "is_new_merchant": 1,
        "is_new_city": 0,
        "is_new_account_device": 0,
        "km_from_previous": 0.0,
    },
    {
        "history_transactions": 3,
        "amount_to_history_mean": 200 / 60,
        "gap_to_typical_gap": 100 / 150,
        "count_10m_to_typical": 0.75,
        "is_new_merchant": 1,
        "is_new_city": 1,
        "is_new_account_device": 1,
        "km_from_previous": 713.0,
    },
]


def transactions() -> list[Transaction]:
    rows = []
    for index, (offset, amount, merchant, city, device) in enumerate(SEQUENCE):
        latitude, longitude = SYDNEY if city == "Sydney" else MELBOURNE
        rows.append(
            Transaction(
                event_id=f"e{index}",
                event_time=START + timedelta(seconds=offset),
                customer_id="C1",
                account_id="A1",
                card_token="tok_00000000000000a1",
                card_last4="1234",
                amount=Decimal(amount),
                merchant_id=merchant,
                merchant_name=f"Merchant {merchant}",
                merchant_category="retail",
                channel="pos",
                device_id=device,
                latitude=latitude,
                longitude=longitude,
                city=city,
                country="AU",
                status="approved",
            )
        )
    return rows


def kyc() -> KycProfile:
    return KycProfile(
        event_id="kyc-1",
        event_time=START - timedelta(hours=30),
        customer_id="C1",
        full_name="Test Customer",
        date_of_birth=date(1980, 1, 1),
        email="c1@example.test",
        home_city="Sydney",
        home_country="AU",
        home_latitude=SYDNEY[0],
        home_longitude=SYDNEY[1],
        risk_tier="low",
        kyc_status="verified",
        account_ids=["A1"],
        registered_device_ids=["dev-home"],
        typical_spend=Decimal("100.00"),
        customer_since=date(2020, 1, 1),
    )


def sql_features(tmp_path: Path) -> list[dict[str, Any]]:
    end = START + timedelta(minutes=10)
    with open_database(tmp_path / "pg") as database:
        conn = database.connect()
        try:
            create_raw_tables(conn)
            load_messages(conn, records_as_messages([kyc(), *transactions()]))
        finally:
            conn.close()
        build_features(database, clock=end, work_dir=tmp_path, span=timedelta(hours=26))
        conn = database.connect()
        try:
            return read_features(conn)
        finally:
            conn.close()


def service_features(index: int) -> dict[str, Any]:
    """decisions/features.py for payment `index`, its earlier payments as the lookup returns."""
    payments = transactions()
    earlier = [
        Earlier(
            row.event_time,
            row.amount,
            row.card_token,
            row.is_card_not_present,
            row.latitude,
            row.longitude,
            row.merchant_id,
            row.city,
            row.device_id,
        )
        for row in reversed(payments[:index])
    ]
    profile = kyc()
    customer = {
        "typical_spend": profile.typical_spend,
        "risk_tier": profile.risk_tier,
        "home_latitude": profile.home_latitude,
        "home_longitude": profile.home_longitude,
        "registered_device_ids": profile.registered_device_ids,
    }
    state = AccountState(None, None, [], customer, earlier)
    return feature_record(payments[index], state)


def same(value: Any, expected: Any) -> bool:
    if expected is None:
        return value is None or (isinstance(value, float) and math.isnan(value))
    return value is not None and value == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.slow
def test_history_features_on_postgres_and_in_the_decision_service(tmp_path: Path) -> None:
    require_embedded_postgres()
    rows = sql_features(tmp_path)
    assert [row["event_id"] for row in rows] == [f"e{i}" for i in range(len(SEQUENCE))]
    for index, (row, expected) in enumerate(zip(rows, EXPECTED, strict=True)):
        service = service_features(index)
        for name, value in expected.items():
            if name == "km_from_previous" and value:
                assert row[name] == pytest.approx(value, abs=3), (index, name)
                # The SQL macro and producers.geo differ by about a metre over 700 km.
                assert service[name] == pytest.approx(row[name], abs=0.01), (index, name)
                continue
            assert same(row[name], value), (index, name, row[name], value)
            if name in FEATURE_NAMES:
                assert same(service[name], value), (index, name, service[name], value)
        # Every model input agrees between the view and the decision service.
        for name in FEATURE_NAMES:
            if name not in expected:
                assert row[name] == service[name] or same(service[name], row[name]), (index, name)
        assert row["amount_to_typical"] == pytest.approx(float(SEQUENCE[index][1]) / 100)
        assert row["is_new_device"] == int(SEQUENCE[index][4] == "dev-new")


def test_the_history_span_is_the_dbt_var() -> None:
    project = Path(__file__).parents[2] / "fraud_detection" / "dbt_project.yml"
    assert yaml.safe_load(project.read_text())["vars"]["feature_history_hours"] == HISTORY_HOURS
