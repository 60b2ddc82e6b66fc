"""Lenient JSON decoding, the same rules RisingWave applies to a FORMAT PLAIN ENCODE JSON source.

A message that is not a JSON object is skipped; keys match columns case-insensitively; a missing
key or a value that fails to convert becomes NULL (never an error). Numbers accept numeric
strings; booleans accept only JSON true/false; timestamptz needs an offset or `Z`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from backtest.schema import Column

Value = str | Decimal | float | bool | date | datetime | list[str] | None

# RisingWave guesses a numeric timestamp's unit from its magnitude (ms vs µs, years 1973..5138).
_MILLIS_RANGE = (1e11, 1e14)
_MICROS_RANGE = (1e14, 1e17)


def _varchar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _numeric(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _double(value: Any) -> float | None:
    number = _numeric(value)
    if number is None:
        return None
    result = float(number)
    return result if math.isfinite(result) else None


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _timestamptz(value: Any) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        magnitude = abs(value)
        if _MILLIS_RANGE[0] <= magnitude < _MILLIS_RANGE[1]:
            return datetime.fromtimestamp(value / 1e3, UTC)
        if _MICROS_RANGE[0] <= magnitude < _MICROS_RANGE[1]:
            return datetime.fromtimestamp(value / 1e6, UTC)
        return None
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _varchar_array(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    items = [_varchar(item) for item in value]
    return None if any(item is None for item in items) else [str(item) for item in items]


CONVERTERS: dict[str, Callable[[Any], Value]] = {
    "varchar": _varchar,
    "numeric": _numeric,
    "double precision": _double,
    "boolean": _boolean,
    "timestamptz": _timestamptz,
    "date": _date,
    "varchar[]": _varchar_array,
}


def decode(message: bytes | str | None, columns: Sequence[Column]) -> list[Value] | None:
    """The row a JSON message becomes, in column order; None when the message is not JSON."""
    if message is None:
        return None
    try:
        document = json.loads(message)
    except (TypeError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    fields = {str(key).lower(): value for key, value in document.items()}
    return [CONVERTERS[column.data_type](fields.get(column.name)) for column in columns]
