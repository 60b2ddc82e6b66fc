"""Grafana's PostgreSQL macros, expanded the way Grafana's backend expands them.

Follows grafana/grafana pkg/tsdb/grafana-postgresql-datasource: first the global substitutions of
sqleng.Interpolate ($__interval_ms, $__interval, $__unixEpochFrom/To()), then the macro engine of
macros.go (`$name(args)`, args split on commas and trimmed; unknown macros are errors).
So a dashboard query can be run against a real PostgreSQL exactly as Grafana would send it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_MACRO = re.compile(r"\$([_a-zA-Z0-9]+)\(([^\)]*)\)")
_INTERVAL = re.compile(r"^(\d+)(ms|s|m|h|d|w|M|y)$")
_UNIT_SECONDS = {
    "ms": 0.001,
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86400,
    "w": 7 * 86400,
    # gtime: a month is a twelfth of a Julian year, a year 365.25 days.
    "M": 365.25 * 86400 / 12,
    "y": 365.25 * 86400,
}


class MacroError(ValueError):
    """A macro Grafana would refuse (unknown name, missing argument, bad interval)."""


@dataclass(frozen=True)
class TimeRange:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("time range bounds must be timezone-aware")


def rfc3339_nano(moment: datetime) -> str:
    """Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros, then `Z`."""
    utc = moment.astimezone(UTC)
    fraction = f"{utc.microsecond:06d}".rstrip("0")
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def format_interval(interval: timedelta) -> str:
    """gtime.FormatInterval: the largest whole unit, e.g. 1m, 30s, 2h."""
    milliseconds = int(interval / timedelta(milliseconds=1))
    for unit, size in (("y", 365 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000)):
        if milliseconds >= size:
            return f"{milliseconds // size}{unit}"
    for unit, size in (("m", 60_000), ("s", 1000), ("ms", 1)):
        if milliseconds >= size:
            return f"{milliseconds // size}{unit}"
    return "1ms"


def _go_number(value: float) -> str:
    """Go's %v of a float64 for the values intervals produce: 60 -> "60", 0.5 -> "0.5"."""
    return str(int(value)) if float(value).is_integer() else repr(value)


def _interval_seconds(text: str) -> float:
    match = _INTERVAL.match(text.strip("'"))
    if match is None:
        raise MacroError(f"error parsing interval {text}")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch(moment: datetime) -> int:
    """Go's Time.Unix(): whole seconds, rounded down."""
    return (moment - _UNIX_EPOCH) // timedelta(seconds=1)


def _epoch_nanos(moment: datetime) -> int:
    return (moment - _UNIX_EPOCH) // timedelta(microseconds=1) * 1000


def _time_group(args: list[str]) -> str:
    if len(args) < 2:
        raise MacroError("macro __timeGroup needs time column and interval and optional fill value")
    seconds = _go_number(_interval_seconds(args[1]))
    return f"floor(extract(epoch from {args[0]})/{seconds})*{seconds}"


def _unix_epoch_group(args: list[str]) -> str:
    if len(args) < 2:
        raise MacroError(
            "macro __unixEpochGroup needs time column and interval and optional fill value"
        )
    seconds = _go_number(_interval_seconds(args[1]))
    return f"floor(({args[0]})/{seconds})*{seconds}"


def _column(name: str, args: list[str]) -> str:
    # Stricter than Grafana on `$__timeFilter()`: it sends SQL the database rejects anyway.
    if not args[0]:
        raise MacroError(f"missing time column argument for macro {name}")
    return args[0]


def _evaluate(name: str, args: list[str], time_range: TimeRange) -> str:
    start, end = time_range.start, time_range.end
    nanos = (_epoch_nanos(start), _epoch_nanos(end))
    match name:
        case "__time":
            return f'{_column(name, args)} AS "time"'
        case "__timeEpoch":
            return f'extract(epoch from {_column(name, args)}) as "time"'
        case "__timeFilter":
            column = _column(name, args)
            return f"{column} BETWEEN '{rfc3339_nano(start)}' AND '{rfc3339_nano(end)}'"
        case "__timeFrom":
            return f"'{rfc3339_nano(start)}'"
        case "__timeTo":
            return f"'{rfc3339_nano(end)}'"
        case "__timeGroup":
            return _time_group(args)
        case "__timeGroupAlias":
            return _time_group(args) + ' AS "time"'
        case "__unixEpochFilter":
            column = _column(name, args)
            return f"{column} >= {_epoch(start)} AND {column} <= {_epoch(end)}"
        case "__unixEpochNanoFilter":
            column = _column(name, args)
            return f"{column} >= {nanos[0]} AND {column} <= {nanos[1]}"
        case "__unixEpochNanoFrom":
            return str(nanos[0])
        case "__unixEpochNanoTo":
            return str(nanos[1])
        case "__unixEpochGroup":
            return _unix_epoch_group(args)
        case "__unixEpochGroupAlias":
            return _unix_epoch_group(args) + ' AS "time"'
    raise MacroError(f'unknown macro "{name}"')


def expand(sql: str, time_range: TimeRange, interval: timedelta) -> str:
    """The SQL Grafana sends for `sql` over `time_range` at panel interval `interval`."""
    interval_ms = int(interval / timedelta(milliseconds=1))
    sql = sql.replace("$__interval_ms", str(interval_ms))
    sql = sql.replace("$__interval", format_interval(interval))
    sql = sql.replace("$__unixEpochFrom()", str(_epoch(time_range.start)))
    sql = sql.replace("$__unixEpochTo()", str(_epoch(time_range.end)))
    original = sql

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        # Grafana < 5.3 compatibility: `$__timeGroup(...),` (a comma right after) adds the alias.
        if name == "__timeGroup":
            end = original.find(match.group(0)) + len(match.group(0))
            if original[end : end + 1] == ",":
                name = "__timeGroupAlias"
        args = [arg.strip(" ") for arg in match.group(2).split(",")]
        return _evaluate(name, args, time_range)

    return _MACRO.sub(replace, sql)
