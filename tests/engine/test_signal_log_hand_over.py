"""The signal log's real SQL on the engine: a detection enters the log only once final.

The compiled `sink_signal_log` and `create_signal_log()` run against a stand-in for mv_signals in a
schema of their own (the dbt-built stack of the session is left alone): a detection still young
stays out of the log, one retracted before its hand-over never reaches it, one changed before it
enters in its last version, and one that expires stays.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.support import risingwave
from tests.support.dbt_compile import compile_risingwave

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCHEMA = "signal_log_check"
# The stand-in keeps what mv_signals keeps: detections of the last retention_hours (24).
RETENTION = "24 hours"
COLUMNS = (
    "signal_id, signal_type, customer_id, account_id, card_token, detected_at, first_event_at,"
    " event_count, total_amount, reason"
)


def _statements(tmp_path: Path) -> tuple[str, str]:
    """The compiled log table and sink, moved into SCHEMA."""
    compile_risingwave(tmp_path)
    (sink_file,) = tmp_path.glob("compiled/**/sink_signal_log.sql")
    sink = sink_file.read_text(encoding="utf-8")
    table = compile_risingwave(tmp_path, inline="{{ create_signal_log() }}")
    moves = {
        '"dev"."public"."sink_signal_log"': f"{SCHEMA}.sink_signal_log",
        '"dev"."public"."mv_signals"': f"{SCHEMA}.live_signals",
        "public.signal_log": f"{SCHEMA}.signal_log",
    }
    for old, new in moves.items():
        sink, table = sink.replace(old, new), table.replace(old, new)
    assert f"{SCHEMA}.live_signals" in sink and f"{SCHEMA}.signal_log" in table
    return table, sink


@pytest.fixture
def cursor(engine: risingwave.RisingWave) -> Iterator[Any]:
    conn = psycopg2.connect(engine.dsn())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            _drop(cur)
            yield cur
            _drop(cur)
    finally:
        conn.close()


def _drop(cur: Any) -> None:
    for kind, name in DROPS:
        cur.execute(f"drop {kind} if exists {SCHEMA}.{name}")
    cur.execute(f"drop schema if exists {SCHEMA}")


DROPS = (
    ("sink", "sink_signal_log"),
    ("materialized view", "live_signals"),
    ("table", "detections"),
    ("table", "signal_log"),
)


def _row(signal_id: str, account: str | None, age: str) -> str:
    account_sql = "null" if account is None else f"'{account}'"
    return (
        f"('{signal_id}', 'velocity', 'C1', {account_sql}, null, now() - interval '{age}',"
        f" now() - interval '{age}', 3, 10.0, 'test')"
    )


def test_the_log_takes_a_detection_once_final_and_keeps_it_after_expiry(
    cursor: Any, tmp_path: Path
) -> None:
    table, sink = _statements(tmp_path)
    cursor.execute(f"create schema {SCHEMA}")
    cursor.execute(table)
    cursor.execute(
        f"create table {SCHEMA}.detections (signal_id varchar, signal_type varchar,"
        " customer_id varchar, account_id varchar, card_token varchar, detected_at timestamptz,"
        " first_event_at timestamptz, event_count integer, total_amount numeric,"
        " reason varchar, primary key (signal_id))"
    )
    cursor.execute(
        f"create materialized view {SCHEMA}.live_signals as select {COLUMNS}"
        f" from {SCHEMA}.detections where detected_at > now() - interval '{RETENTION}'"
    )
    cursor.execute(sink)
    # Ages against the hand-over at 21 h and the expiry at 24 h. An UPDATE or DELETE sees only
    # flushed rows, so the changes below follow a FLUSH, before those rows reach the hand-over.
    rows = [
        _row("final", "A1", "22 hours"),  # past the hand-over: logged
        _row("young", "A1", "1 hour"),  # can still change: not logged
        _row("retracted", "A1", "20 hours 59 minutes"),  # deleted before: never
        _row("expiring", "A1", "23 hours 59 minutes"),  # logged, then expires
        _row("changed", None, "20 hours 59 minutes"),  # gets its account before: logged with it
    ]
    cursor.execute(f"insert into {SCHEMA}.detections values {', '.join(rows)}")
    cursor.execute("flush")
    cursor.execute(f"update {SCHEMA}.detections set account_id = 'A2' where signal_id = 'changed'")
    cursor.execute(f"delete from {SCHEMA}.detections where signal_id = 'retracted'")

    def logged() -> dict[str, str | None]:
        cursor.execute("flush")
        cursor.execute(f"select signal_id, account_id from {SCHEMA}.signal_log")
        return dict(cursor.fetchall())

    def live() -> set[str]:
        cursor.execute(f"select signal_id from {SCHEMA}.live_signals")
        return {signal_id for (signal_id,) in cursor.fetchall()}

    deadline = time.monotonic() + 180.0
    while ("changed" not in logged() or "expiring" in live()) and time.monotonic() < deadline:
        time.sleep(2)
    assert logged() == {"final": "A1", "expiring": "A1", "changed": "A2"}
    assert "expiring" not in live() and {"young", "changed", "final"} <= live()
