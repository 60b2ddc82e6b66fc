"""Time passes: one history evaluated at successive clocks, as a long-running stack sees it.

The replay raises retention above its span, so it never shows what expiry does. Here retention is
short (1 h) and the same loaded history is rebuilt with NOW() at later and later clocks
(backtest.clock), across the moments where detections leave retention and, later, where their
input events expire. No event arrives after the history: every later answer must be the earlier
one minus what left retention.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from backtest.database import open_database
from backtest.dbt import run_dbt
from backtest.load import create_raw_tables, load_messages, records_as_messages
from backtest.replay import history
from tests.support.replay import replay_end, replay_settings
from tests.support.sql import rows

RETENTION_HOURS = 1
MINUTES = 60
# From the history's end: inside retention, past it (the earliest detections have left while later
# ones of the same cases remain), then through the expiry of the inputs themselves (retention plus
# the margin the SQL derives from the rule windows: 3 h with the default windows).
CLOCK_OFFSETS = (
    timedelta(0),
    timedelta(minutes=25),
    timedelta(minutes=50),
    timedelta(hours=3, minutes=40),
    timedelta(hours=4, minutes=30),
)
SIGNALS = (
    "select signal_id, signal_type, account_id, detected_at, first_event_at, event_count,"
    " total_amount from mv_signals order by signal_id"
)
CASES = "select account_id, case_id, severity, opened_at from mv_open_fraud_cases order by 1"


@dataclass(frozen=True)
class Moment:
    clock: datetime
    signals: list[tuple[Any, ...]]
    cases: dict[str, tuple[str, str, datetime]]


@pytest.fixture(scope="module")
def moments(
    embedded_postgres: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Moment]]:
    settings = replay_settings(0.1).model_copy(
        update={"transaction_rate": 10.0, "customer_pool_size": 300}
    )
    end = replay_end()
    work_dir: Path = tmp_path_factory.mktemp("time-passes")
    with open_database(work_dir / "pgdata") as database:
        conn = database.connect()
        try:
            create_raw_tables(conn)
            load_messages(
                conn, records_as_messages(history(settings, end=end, minutes=MINUTES, events=None))
            )
        finally:
            conn.close()
        variables = {
            "retention_hours": RETENTION_HOURS,
            "structuring_threshold": str(settings.structuring_threshold),
        }
        target_dir = work_dir / "dbt-target"
        run_dbt(database, "seed", variables=variables, target_dir=target_dir)
        moments = []
        for offset in CLOCK_OFFSETS:
            clock = end + offset
            run_dbt(database, "run", variables=variables, target_dir=target_dir, clock=clock)
            cases = {
                account: (case_id, severity, opened_at)
                for account, case_id, severity, opened_at in rows(database, CASES)
            }
            moments.append(Moment(clock, rows(database, SIGNALS), cases))
        yield moments


def _in_retention(moment: Moment, signals: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    horizon = moment.clock - timedelta(hours=RETENTION_HOURS)
    return [signal for signal in signals if signal[3] > horizon]


def test_the_history_has_detections_and_long_cases(moments: list[Moment]) -> None:
    first, later = moments[0], moments[2]
    assert len(first.signals) > 100
    # Cases open at both clocks whose first detection has left retention at the later one: the
    # moment a case id derived from what is still in retention would change.
    horizon = later.clock - timedelta(hours=RETENTION_HOURS)
    long_cases = [
        account
        for account, (_, _, opened_at) in later.cases.items()
        if account in first.cases and opened_at <= horizon
    ]
    assert long_cases


def test_later_clocks_only_lose_what_left_retention(moments: list[Moment]) -> None:
    first = moments[0]
    for moment in moments[1:]:
        # Same ids, same detected_at and same content for what is still in retention; nothing new.
        assert moment.signals == _in_retention(moment, first.signals), moment.clock


def test_a_case_open_at_two_clocks_keeps_its_id(moments: list[Moment]) -> None:
    for earlier, later in itertools.pairwise(moments):
        assert set(later.cases) <= set(earlier.cases), later.clock
        for account, (case_id, _, opened_at) in later.cases.items():
            assert (case_id, opened_at) == earlier.cases[account][::2], (account, later.clock)


def test_an_append_only_sink_of_case_changes_alerts_each_case_severity_once(
    moments: list[Moment],
) -> None:
    # The sink appends every new or changed case row; the alerter sends each case:severity once.
    # A case:severity that reappears after it was gone is an alert sent twice; a second case id
    # for an account that got no new event is a second alert about the same activity.
    emitted: list[str] = []
    case_ids: dict[str, set[str]] = {}
    previous: set[str] = set()
    for moment in moments:
        current = set()
        for account, (case_id, severity, _) in moment.cases.items():
            current.add(f"{case_id}:{severity}")
            case_ids.setdefault(account, set()).add(case_id)
        emitted += sorted(current - previous)
        previous = current
    assert emitted
    assert len(emitted) == len(set(emitted))
    assert {account: ids for account, ids in case_ids.items() if len(ids) > 1} == {}
