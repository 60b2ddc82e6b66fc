"""The macro expander against the outputs Grafana's own macro tests document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.stack.grafana_macros import MacroError, TimeRange, expand, format_interval, rfc3339_nano

START = datetime(2018, 4, 12, 18, 0, tzinfo=UTC)
RANGE = TimeRange(START, START + timedelta(minutes=5))
MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select $__time(time_column)", 'select time_column AS "time"'),
        (
            "WHERE $__timeFilter(time_column)",
            "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'",
        ),
        ("select $__timeFrom()", "select '2018-04-12T18:00:00Z'"),
        ("select $__timeTo()", "select '2018-04-12T18:05:00Z'"),
        (
            "SELECT $__timeGroup(time_column,'5m')",
            "SELECT floor(extract(epoch from time_column)/300)*300",
        ),
        (
            "SELECT $__timeGroupAlias(time_column , '5m')",
            'SELECT floor(extract(epoch from time_column)/300)*300 AS "time"',
        ),
        # Before Grafana 5.3 a comma after $__timeGroup meant "alias it as time".
        (
            "SELECT $__timeGroup(time_column,'5m'), value",
            'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value',
        ),
        (
            "select $__unixEpochFilter(time)",
            "select time >= 1523556000 AND time <= 1523556300",
        ),
        ("select $__unixEpochNanoFrom()", "select 1523556000000000000"),
        (
            "SELECT $__unixEpochGroupAlias(time_column+time_adjustment,'5m')",
            'SELECT floor((time_column+time_adjustment)/300)*300 AS "time"',
        ),
        ("SELECT $__interval, $__interval_ms", "SELECT 1m, 60000"),
        (
            "where t > $__unixEpochFrom() and t < $__unixEpochTo()",
            "where t > 1523556000 and t < 1523556300",
        ),
    ],
)
def test_expands_like_grafana(sql: str, expected: str) -> None:
    assert expand(sql, RANGE, MINUTE) == expected


def test_half_seconds_keep_go_nano_format() -> None:
    moment = datetime(1960, 2, 1, 7, 0, 0, 500_000, tzinfo=UTC)
    assert rfc3339_nano(moment) == "1960-02-01T07:00:00.5Z"


@pytest.mark.parametrize(
    ("interval", "text"),
    [
        (timedelta(milliseconds=20), "20ms"),
        (timedelta(seconds=30), "30s"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=2, minutes=30), "2h"),
        (timedelta(days=3), "3d"),
        (timedelta(0), "1ms"),
    ],
)
def test_interval_formatting(interval: timedelta, text: str) -> None:
    assert format_interval(interval) == text


@pytest.mark.parametrize(
    "sql",
    ["select $__notAMacro(x)", "select $__timeGroup(time_column)", "$__timeGroup(t, 'soon')"],
)
def test_grafana_refuses(sql: str) -> None:
    with pytest.raises(MacroError):
        expand(sql, RANGE, MINUTE)


def test_naive_time_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TimeRange(datetime(2018, 4, 12), datetime(2018, 4, 13))
