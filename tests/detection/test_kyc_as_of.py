"""KYC facts are read as of each event: a profile that arrives later (enrolling a device, moving
the home, a new typical spend and risk tier) never changes what the customer's earlier events
showed, nor the model's features of them.

Time passes as on a live stack: one customer's first events are loaded and the project is run;
then a KYC profile that enrols the new device and moves the home arrives, with later events, and
the project runs again at a later clock. The earlier purchase stays "new device" (its device
anomaly and the takeover of its login keep their id and detection time, the case its id) and its
distance from home stays; the purchase after the enrolment is from a registered device, measured
from the new home, its features against the new typical spend.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from offline.database import Database, open_database
from offline.dbt import run_dbt
from offline.load import create_raw_tables, load_messages, records_as_messages
from producers.models import Record
from rules import store
from tests.support.events import MELBOURNE, SYDNEY, account_of, kyc_profile, login, purchase
from tests.support.sql import rows

END = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CUSTOMER = "ASOF"
ACCOUNT = account_of(CUSTOMER)
NEW_DEVICE = "d-new-phone"
# First run: after the new phone's login and purchase. Second run: after the enrolment, a move to
# Melbourne and a purchase from there on the phone.
FIRST_CLOCK = END - timedelta(hours=2, minutes=50)
SIGNALS = (
    "select signal_id, signal_type, account_id, detected_at, first_event_at, event_count,"
    f" total_amount, reason from mv_signals where account_id = '{ACCOUNT}' order by signal_id"
)
TRANSACTIONS = (
    "select event_id, is_new_device, distance_from_home_km from int_transactions"
    f" where customer_id = '{CUSTOMER}' order by event_id"
)
LOGINS = f"select event_id, is_new_device from int_logins where customer_id = '{CUSTOMER}'"
VERSIONS = (
    "select home_latitude, home_longitude, typical_spend, risk_tier, valid_from, valid_until"
    f" from int_customer_profile_versions where customer_id = '{CUSTOMER}' order by valid_from"
)
FEATURES = (
    "select event_id, amount_to_typical, kyc_tier from mv_transaction_features"
    f" where customer_id = '{CUSTOMER}' order by event_id"
)
CASES = f"select case_id, opened_at from mv_open_fraud_cases where account_id = '{ACCOUNT}'"


def _at(hours: float) -> datetime:
    return END - timedelta(hours=hours)


# Before the first run: the customer's profile (a home phone only), then the new phone logs in and
# buys in a shop's app 5 minutes later (a device anomaly, and a takeover by rule set v1).
BEFORE = [
    kyc_profile("kyc-first", CUSTOMER, _at(10), ["d-home"], SYDNEY),
    login("login-before", CUSTOMER, _at(3), NEW_DEVICE),
    purchase("buy-before", CUSTOMER, _at(3 - 5 / 60), "1500.00", NEW_DEVICE, SYDNEY),
]
# Before the second run: a periodic review repeating the first profile, a profile enrolling the
# phone, moving the home to Melbourne and raising the typical spend and the risk tier, then the
# phone logs in and buys again, in Melbourne.
AFTER = [
    kyc_profile("kyc-review", CUSTOMER, _at(2.5), ["d-home"], SYDNEY),
    kyc_profile(
        "kyc-enrolled", CUSTOMER, _at(2), ["d-home", NEW_DEVICE], MELBOURNE, "900.00", "medium"
    ),
    login("login-after", CUSTOMER, _at(1), NEW_DEVICE),
    purchase("buy-after", CUSTOMER, _at(1 - 5 / 60), "1500.00", NEW_DEVICE, MELBOURNE),
]


@dataclass(frozen=True)
class Moment:
    signals: list[tuple[Any, ...]]
    transactions: dict[str, tuple[bool, Decimal]]
    logins: dict[str, bool]
    cases: list[tuple[Any, ...]]
    versions: list[tuple[Any, ...]]
    features: dict[str, tuple[float, str]]


def _moment(database: Database) -> Moment:
    return Moment(
        signals=rows(database, SIGNALS),
        transactions={
            event_id: (is_new, distance)
            for event_id, is_new, distance in rows(database, TRANSACTIONS)
        },
        logins=dict(rows(database, LOGINS)),
        cases=rows(database, CASES),
        versions=rows(database, VERSIONS),
        features={event_id: (ratio, tier) for event_id, ratio, tier in rows(database, FEATURES)},
    )


def _load(database: Database, records: Iterable[Record]) -> None:
    conn = database.connect()
    try:
        load_messages(conn, records_as_messages(records))
    finally:
        conn.close()


@pytest.fixture(scope="module")
def moments(
    embedded_postgres: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Moment, Moment]]:
    work_dir: Path = tmp_path_factory.mktemp("kyc-as-of")
    variables = {**store.dbt_vars(store.load("v1"), env={}), "retention_hours": 24}
    with open_database(work_dir / "pgdata") as database:
        conn = database.connect()
        try:
            create_raw_tables(conn)
        finally:
            conn.close()
        _load(database, BEFORE)
        target_dir = work_dir / "dbt-target"
        run_dbt(database, "run", variables=variables, target_dir=target_dir, clock=FIRST_CLOCK)
        before = _moment(database)
        _load(database, AFTER)
        run_dbt(database, "run", variables=variables, target_dir=target_dir, clock=END)
        yield before, _moment(database)


def test_the_new_phone_fires_before_its_enrolment(moments: tuple[Moment, Moment]) -> None:
    before, _ = moments
    assert [row[0] for row in before.signals] == [
        "account_takeover:login-before",
        "device_anomaly:buy-before",
    ]
    assert before.transactions == {"buy-before": (True, Decimal("0.0"))}
    assert before.logins == {"login-before": True}
    assert len(before.cases) == 1
    assert before.features == {"buy-before": (5.0, "low")}


def test_a_later_enrolment_leaves_the_earlier_detections_as_they_were(
    moments: tuple[Moment, Moment],
) -> None:
    before, after = moments
    # Same ids, same detection times, same content; the case keeps its id and opening time.
    assert after.signals == before.signals
    assert after.cases == before.cases
    assert after.transactions["buy-before"] == before.transactions["buy-before"]
    assert after.logins["login-before"] is True
    assert after.features["buy-before"] == before.features["buy-before"]


def test_after_the_enrolment_the_phone_is_registered_and_the_home_has_moved(
    moments: tuple[Moment, Moment],
) -> None:
    _, after = moments
    # Not new: no device anomaly for it, no takeover for its login; measured from Melbourne.
    assert after.transactions["buy-after"] == (False, Decimal("0.0"))
    assert after.logins["login-after"] is False
    assert after.features["buy-after"] == (pytest.approx(1500 / 900), "medium")


def test_a_review_repeating_the_facts_adds_no_version(moments: tuple[Moment, Moment]) -> None:
    _, after = moments
    assert after.versions == [
        (*SYDNEY, Decimal("300.00"), "low", _at(10), _at(2)),
        (*MELBOURNE, Decimal("900.00"), "medium", _at(2), None),
    ]
