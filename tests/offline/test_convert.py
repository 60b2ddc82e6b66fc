"""The loader decodes JSON like a RisingWave FORMAT PLAIN ENCODE JSON source."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from offline.convert import decode, wrong_types
from offline.schema import Column

COLUMNS = (
    Column("event_id", "varchar"),
    Column("event_time", "timestamptz"),
    Column("amount", "numeric"),
    Column("latitude", "double precision"),
    Column("success", "boolean"),
    Column("born", "date"),
    Column("devices", "varchar[]"),
)


def test_a_valid_message_converts_every_column() -> None:
    message = (
        b'{"EVENT_ID": "e1", "event_time": "2026-11-22T10:00:00.123Z", "amount": "12.50",'
        b' "latitude": -33.5, "success": true, "born": "1990-02-03", "devices": ["dev_1"],'
        b' "ignored": 1}'
    )
    assert decode(message, COLUMNS) == [
        "e1",
        datetime(2026, 11, 22, 10, 0, 0, 123000, tzinfo=UTC),
        Decimal("12.50"),
        -33.5,
        True,
        date(1990, 2, 3),
        ["dev_1"],
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_id", {"nested": 1}),
        ("event_time", "2026-11-22T10:00:00"),  # no offset: RisingWave rejects it
        ("event_time", "soon"),
        ("event_time", 12),  # a number outside the ms/µs ranges RisingWave guesses
        ("amount", "twelve"),
        ("amount", "NaN"),
        ("amount", True),
        ("latitude", "north"),
        ("success", "true"),  # booleans are strict: only JSON true/false
        ("born", "03/02/1990"),
        ("devices", "dev_1"),
        ("devices", [{"id": 1}]),
    ],
)
def test_a_value_that_fails_to_convert_becomes_null(field: str, value: object) -> None:
    row = decode(json.dumps({"event_id": "e1", field: value}).encode(), COLUMNS)
    assert row is not None
    assert row[[column.name for column in COLUMNS].index(field)] is None


def test_missing_keys_become_null_and_numbers_accept_strings() -> None:
    row = decode(b'{"amount": 7, "latitude": "1.5", "event_time": 1795000000000}', COLUMNS)
    assert row == [
        None,
        datetime.fromtimestamp(1795000000, UTC),
        Decimal(7),
        1.5,
        None,
        None,
        None,
    ]


@pytest.mark.parametrize("message", [b"not json", b"[1, 2]", b'"text"', b"", None])
def test_a_message_that_is_not_a_json_object_is_skipped(message: bytes | None) -> None:
    assert decode(message, COLUMNS) is None


def test_recorded_input_takes_a_varchar_only_from_a_json_string() -> None:
    message = json.dumps({"event_id": 12345, "amount": 3, "devices": ["dev_1", 7]}).encode()
    # RisingWave's JSON source writes a number into a varchar column as its text...
    lenient = decode(message, COLUMNS)
    assert lenient is not None
    assert (lenient[0], lenient[6]) == ("12345", ["dev_1", "7"])
    # ...recorded input is decoded strictly: the views then reject the row (missing_id).
    strict = decode(message, COLUMNS, strict=True)
    assert strict is not None
    assert strict[0] is None and strict[6] is None
    assert strict[2] == Decimal("3")  # a number stays a number
    assert wrong_types(message, COLUMNS) == ["event_id", "devices"]
    assert wrong_types(b'{"event_id": "e1", "amount": null}', COLUMNS) == []
