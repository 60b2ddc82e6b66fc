"""The end-to-end benchmark's bookkeeping, against a real PostgreSQL and an injected clock."""

from __future__ import annotations

import importlib.util
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import psycopg2
import pytest

from tests.stack.stack_files import ROOT


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_e2e", ROOT / "scripts" / "bench_e2e.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_e2e"] = module
    spec.loader.exec_module(module)
    return module


bench = _load_bench()
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def signals_db(postgres_uri: str) -> Iterator[Any]:
    """The signal views and the freshness view, as empty tables."""
    admin = psycopg2.connect(postgres_uri)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("drop database if exists bench")
        cursor.execute("create database bench")
    admin.close()
    connection = psycopg2.connect(postgres_uri.replace("/postgres?", "/bench?"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        for view in bench.SIGNAL_VIEWS:
            cursor.execute(f"create table {view} (signal_id text, detected_at timestamptz)")
        cursor.execute("create table mv_topic_freshness (topic text, event_count bigint)")
        cursor.execute("insert into mv_topic_freshness values ('transactions', 1000)")
    yield connection
    connection.close()


class Pipeline:
    """A fake wall clock; each sleep advances it and lets the 'pipeline' publish rows."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.now = T0
        self.sleeps = 0

    def clock(self) -> datetime:
        return self.now

    def insert(self, view: str, signal_id: str, detected_at: datetime) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"insert into {view} values (%s, %s)", (signal_id, detected_at))

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += timedelta(seconds=seconds)
        if self.sleeps == 1:
            self.insert("mv_velocity_alerts", "v-1", T0 - timedelta(seconds=2))
            with self.connection.cursor() as cursor:
                cursor.execute("update mv_topic_freshness set event_count = event_count + 500")
        if self.sleeps == 3:
            self.insert("mv_cnp_spike", "c-1", T0 + timedelta(seconds=0.2))


def test_measures_latency_of_new_signals_only(signals_db: Any) -> None:
    pipeline = Pipeline(signals_db)
    pipeline.insert("mv_velocity_alerts", "old", T0 - timedelta(minutes=1))
    report = bench.measure(
        signals_db, duration_s=2.0, poll_s=0.5, clock=pipeline.clock, sleep=pipeline.sleep
    )
    # v-1 seen at T0+0.5 s (2 s after its event), c-1 at T0+1.5 s; "old" predates the run.
    assert report.latencies_s == pytest.approx([2.5, 1.3])
    assert report.events == 500
    assert report.events_per_s == pytest.approx(250.0)
    assert "| latency p99 (event time -> visible) | 2.50 s |" in report.markdown()


def test_percentiles_are_observed_values() -> None:
    values = [float(value) for value in range(100, 0, -1)]
    assert bench.percentile(values, 0.5) == 50.0
    assert bench.percentile(values, 0.95) == 95.0
    assert bench.percentile(values, 0.99) == 99.0
    assert bench.percentile([7.0], 0.99) == 7.0
    with pytest.raises(ValueError, match="no values"):
        bench.percentile([], 0.5)


def test_report_without_signals_says_so() -> None:
    report = bench.Report([], events=100, duration_s=10.0, poll_s=0.5)
    assert "signals observed: 0" in report.text()
    assert "latency" not in report.text()


def test_unreachable_risingwave_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert bench.main(["--dsn", f"postgresql://root@127.0.0.1:{port}/dev", "--duration", "1"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("bench-e2e: cannot reach RisingWave at")
    assert len(error.strip().splitlines()) == 1


def test_bad_duration_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--duration", "0"])
    assert exit_info.value.code == 2
