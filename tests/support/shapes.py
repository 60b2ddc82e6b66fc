"""An independent oracle of the detection rules, in plain Python, to check generated traffic.

Each function returns the entities (account, card or customer ids) that show the shape, with the
event time at which the shape completes. Windows are inclusive, as SQL `range ... preceding` is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from producers.geo import haversine_km
from producers.models import Alert, KycProfile, Login, Record, Transaction

Hits = dict[str, list[datetime]]


def _count_in_window(
    times_by_key: dict[str, list[datetime]], count: int, window: timedelta
) -> Hits:
    hits: Hits = defaultdict(list)
    for key, times in times_by_key.items():
        times.sort()
        for index in range(count - 1, len(times)):
            if times[index] - times[index - count + 1] <= window:
                hits[key].append(times[index])
    return dict(hits)


def velocity(records: Iterable[Record], count: int = 5, seconds: int = 60) -> Hits:
    by_account: dict[str, list[datetime]] = defaultdict(list)
    for record in records:
        if isinstance(record, Transaction):
            by_account[record.account_id].append(record.event_time)
    return _count_in_window(by_account, count, timedelta(seconds=seconds))


def cnp_spike(records: Iterable[Record], count: int = 8, seconds: int = 300) -> Hits:
    by_card: dict[str, list[datetime]] = defaultdict(list)
    for record in records:
        if isinstance(record, Transaction) and record.is_card_not_present:
            assert record.card_token is not None
            by_card[record.card_token].append(record.event_time)
    return _count_in_window(by_card, count, timedelta(seconds=seconds))


def login_storm(records: Iterable[Record], count: int = 3, seconds: int = 60) -> Hits:
    by_customer: dict[str, list[datetime]] = defaultdict(list)
    for record in records:
        if isinstance(record, Login) and not record.success:
            by_customer[record.customer_id].append(record.event_time)
    return _count_in_window(by_customer, count, timedelta(seconds=seconds))


def structuring(
    records: Iterable[Record], threshold: Decimal, count: int = 2, minutes: int = 60
) -> Hits:
    by_account: dict[str, list[datetime]] = defaultdict(list)
    for record in records:
        if (
            isinstance(record, Transaction)
            and threshold * Decimal("0.9") <= record.amount < threshold
        ):
            by_account[record.account_id].append(record.event_time)
    return _count_in_window(by_account, count, timedelta(minutes=minutes))


def geo_impossible(records: Iterable[Record], km: float = 1000.0, hours: int = 2) -> Hits:
    previous: dict[str, Transaction] = {}
    hits: Hits = defaultdict(list)
    for record in records:
        if not isinstance(record, Transaction):
            continue
        before = previous.get(record.account_id)
        previous[record.account_id] = record
        if before is None or record.event_time - before.event_time >= timedelta(hours=hours):
            continue
        distance = haversine_km(
            before.latitude, before.longitude, record.latitude, record.longitude
        )
        if distance > km:
            hits[record.account_id].append(record.event_time)
    return dict(hits)


def correlated_alerts(records: Iterable[Record], types: int = 2, seconds: int = 300) -> Hits:
    by_customer: dict[str, list[Alert]] = defaultdict(list)
    for record in records:
        if isinstance(record, Alert):
            by_customer[record.customer_id].append(record)
    hits: Hits = defaultdict(list)
    window = timedelta(seconds=seconds)
    for customer, alerts in by_customer.items():
        for index, alert in enumerate(alerts):
            recent = {
                earlier.alert_type
                for earlier in alerts[: index + 1]
                if alert.event_time - earlier.event_time <= window
            }
            if len(recent) >= types:
                hits[customer].append(alert.event_time)
    return dict(hits)


def _registered_devices(records: Iterable[Record]) -> dict[str, set[str]]:
    devices: dict[str, set[str]] = {}
    for record in records:
        if isinstance(record, KycProfile):
            devices[record.customer_id] = set(record.registered_device_ids)
    return devices


def device_anomaly(records: list[Record], high_value: Decimal = Decimal("1000")) -> Hits:
    registered = _registered_devices(records)
    hits: Hits = defaultdict(list)
    for record in records:
        if (
            isinstance(record, Transaction)
            and record.is_card_not_present
            and record.amount >= high_value
            and record.device_id not in registered.get(record.customer_id, set())
        ):
            hits[record.account_id].append(record.event_time)
    return dict(hits)


def account_takeover(
    records: list[Record], high_value: Decimal = Decimal("1000"), minutes: int = 30
) -> Hits:
    """A successful login from an unregistered device, then high-value CNP spending from it."""
    registered = _registered_devices(records)
    new_device_logins: dict[tuple[str, str], datetime] = {}
    hits: Hits = defaultdict(list)
    for record in records:
        if isinstance(record, Login) and record.success:
            if record.device_id not in registered.get(record.customer_id, set()):
                new_device_logins[(record.customer_id, record.device_id)] = record.event_time
        elif (
            isinstance(record, Transaction)
            and record.is_card_not_present
            and record.amount >= high_value
            and record.device_id is not None
        ):
            login_at = new_device_logins.get((record.customer_id, record.device_id))
            if login_at is not None and record.event_time - login_at <= timedelta(minutes=minutes):
                hits[record.account_id].append(record.event_time)
    return dict(hits)


def _primary_accounts(records: Iterable[Record]) -> dict[str, str]:
    return {
        record.customer_id: record.account_ids[0]
        for record in records
        if isinstance(record, KycProfile) and record.account_ids
    }


def signal_types_by_account(records: list[Record], threshold: Decimal) -> dict[str, set[str]]:
    """Account -> the signal types the oracle sees on it, as the risk view attributes them:
    cards to their account, customers (login storms, alert bursts) to their primary account."""
    account_of_card = {
        record.card_token: record.account_id
        for record in records
        if isinstance(record, Transaction) and record.card_token is not None
    }
    primary = _primary_accounts(records)
    found: dict[str, set[str]] = defaultdict(set)
    by_account = {
        "velocity": velocity(records),
        "geo_impossible": geo_impossible(records),
        "device_anomaly": device_anomaly(records),
        "account_takeover": account_takeover(records),
        "structuring": structuring(records, threshold),
    }
    for signal_type, hits in by_account.items():
        for account in hits:
            found[account].add(signal_type)
    for card in cnp_spike(records):
        found[account_of_card[card]].add("cnp_spike")
    for signal_type, hits in (
        ("login_storm", login_storm(records)),
        ("correlated_alerts", correlated_alerts(records)),
    ):
        for customer in hits:
            found[primary.get(customer, customer)].add(signal_type)
    return dict(found)


def risk_score(signal_types: Iterable[str], weights: dict[str, float]) -> float:
    """The noisy-or of the weights of the distinct signal types (the risk view's formula)."""
    remaining = 1.0
    for signal_type in set(signal_types):
        remaining *= 1.0 - weights[signal_type]
    return 1.0 - remaining
