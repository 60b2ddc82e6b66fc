"""Defective copies of real events: what a broken upstream could publish.

Each copy keeps the account, card, customer and time of a real fraud event, so that a copy wrongly
accepted by staging would change a signal; each is paired with the rejection reason it must get
(None: not JSON at all, skipped before any view).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from offline.load import Message
from producers.models import (
    Alert,
    CardEvent,
    Event,
    FraudLabel,
    KycProfile,
    Login,
    Record,
    Transaction,
)

Payload = dict[str, Any]
Defect = tuple[str, Callable[[Payload], None]]


def _set(field: str, value: Any) -> Callable[[Payload], None]:
    def apply(payload: Payload) -> None:
        payload[field] = value

    return apply


def _drop(field: str) -> Callable[[Payload], None]:
    def apply(payload: Payload) -> None:
        payload.pop(field, None)

    return apply


def _naive_time(payload: Payload) -> None:
    payload["event_time"] = payload["event_time"].removesuffix("Z")


def _ahead(by: timedelta) -> Callable[[Payload], None]:
    def apply(payload: Payload) -> None:
        moment = datetime.fromisoformat(payload["event_time"]) + by
        payload["event_time"] = moment.isoformat()

    return apply


DEFECTS: dict[type[Record], list[Defect]] = {
    Transaction: [
        ("missing_id", _drop("account_id")),
        ("missing_event_time", _set("event_time", "yesterday")),
        ("missing_event_time", _naive_time),
        ("future_event_time", _ahead(timedelta(days=1))),
        # The boundary: a producer whose clock runs an hour ahead stamps its message with that
        # event time too, but topics use LogAppendTime, so the message arrives stamped with the
        # broker's clock (here the time the original was sent) and the skew shows.
        ("future_event_time", _ahead(timedelta(hours=1))),
        ("invalid_amount", _set("amount", "-5.00")),
        ("invalid_amount", _set("amount", "twelve")),
        ("invalid_amount", _set("amount", "0")),
        ("unknown_channel", _set("channel", "teleport")),
        ("unknown_status", _set("status", "pending")),
        ("invalid_coordinates", _set("latitude", 123.4)),
        ("invalid_coordinates", _set("longitude", "east")),
    ],
    Login: [
        ("missing_id", _drop("customer_id")),
        ("missing_outcome", _set("success", "false")),
        ("unknown_auth_method", _set("auth_method", "carrier_pigeon")),
    ],
    Alert: [
        ("unknown_alert_type", _set("alert_type", "bogus")),
        ("unknown_severity", _set("severity", "extreme")),
    ],
    CardEvent: [("unknown_event_type", _set("event_type", "melted"))],
    KycProfile: [("unknown_risk_tier", _set("risk_tier", "platinum"))],
    FraudLabel: [("unknown_scenario", _set("scenario", "alien_abduction"))],
}
NOT_JSON: tuple[bytes | None, ...] = (b"not json {", b"[1, 2, 3]", b"", None)


def _is_fraud(record: Record) -> bool:
    return isinstance(record, FraudLabel) or (isinstance(record, Event) and record.is_fraud)


def _prefer_fraud(record: Record) -> bool:
    # KYC profiles and card events are never part of a scenario: any will do.
    return _is_fraud(record) or isinstance(record, KycProfile | CardEvent)


def defective_copies(records: Iterable[Record]) -> list[tuple[Message, str | None]]:
    """One defective copy per defect, each made from a different real (fraud) record."""
    pending = {kind: list(defects) for kind, defects in DEFECTS.items()}
    copies: list[tuple[Message, str | None]] = []
    for record in records:
        defects = pending.get(type(record))
        if not defects or not _prefer_fraud(record):
            continue
        reason, apply = defects.pop()
        payload = json.loads(record.payload())
        if "event_id" in payload:
            payload["event_id"] = str(uuid.uuid4())
        else:
            payload["instance_id"] = str(uuid.uuid4())
        apply(payload)
        copies.append(
            (Message(record.topic, record.timestamp, json.dumps(payload).encode()), reason)
        )
        if not any(pending.values()):
            break
    missing = [kind.__name__ for kind, defects in pending.items() if defects]
    if missing:
        raise ValueError(f"no record to copy for {missing}")
    topic = Transaction.topic
    last = copies[0][0].timestamp
    copies += [(Message(topic, last, value), None) for value in NOT_JSON]
    return copies
