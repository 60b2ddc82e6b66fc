"""`make bench-e2e`: end-to-end latency and throughput of the running stack.

Latency is measured from a signal's event time (`detected_at`, the time of the event that
completed the pattern: the producer stamps events with the wall clock) to the moment the signal
is first visible in RisingWave, found by polling every signal view. Throughput is the growth of
`mv_topic_freshness.event_count` over the run. Resolution is the poll interval.

    python scripts/bench_e2e.py [--duration 120] [--poll 0.5] [--dsn ...] [--markdown]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg2

from common.contract import CONTRACT

# The rule signals' views (common/contract.yml); the learned scorer's signal is left out.
SIGNAL_VIEWS = tuple(signal.model for signal in CONTRACT.signals if not signal.learned)
# Signals detected this long before the run started are history, not part of the measurement.
LOOKBACK = timedelta(minutes=5)
_RECENT_SIGNALS = " union all ".join(
    f"select signal_id, detected_at from {view} where detected_at > %(since)s"
    for view in SIGNAL_VIEWS
)
_EVENT_TOTAL = "select coalesce(sum(event_count), 0) from mv_topic_freshness"

Clock = Callable[[], datetime]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Report:
    latencies_s: list[float]
    events: int
    duration_s: float
    poll_s: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.duration_s

    def rows(self) -> list[tuple[str, str]]:
        rows = [
            ("run", f"{self.duration_s:.0f} s, polled every {self.poll_s:g} s"),
            ("sustained throughput", f"{self.events_per_s:.1f} events/s"),
            ("signals observed", str(len(self.latencies_s))),
        ]
        if self.latencies_s:
            for name, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
                value = percentile(self.latencies_s, fraction)
                rows.append((f"latency {name} (event time -> visible)", f"{value:.2f} s"))
        return rows

    def text(self) -> str:
        return "\n".join(f"{name}: {value}" for name, value in self.rows())

    def markdown(self) -> str:
        lines = ["### End-to-end benchmark", "", "| measure | value |", "|---|---|"]
        lines += [f"| {name} | {value} |" for name, value in self.rows()]
        return "\n".join(lines)


class SignalWatcher:
    """Remembers which signals it has seen; reports how late each new one became visible."""

    def __init__(self, connection: Any, clock: Clock, since: datetime) -> None:
        self._connection = connection
        self._clock = clock
        self._since = since
        self._seen: set[str] = set()

    def _recent(self) -> list[tuple[str, datetime]]:
        with self._connection.cursor() as cursor:
            cursor.execute(_RECENT_SIGNALS, {"since": self._since})
            return cursor.fetchall()

    def ignore_existing(self) -> None:
        self._seen.update(signal_id for signal_id, _ in self._recent())

    def poll(self) -> list[float]:
        rows = self._recent()
        now = self._clock()
        latencies = []
        for signal_id, detected_at in rows:
            if signal_id not in self._seen:
                self._seen.add(signal_id)
                latencies.append((now - detected_at).total_seconds())
        return latencies


def event_total(connection: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_EVENT_TOTAL)
        return int(cursor.fetchone()[0])


def measure(
    connection: Any,
    *,
    duration_s: float,
    poll_s: float,
    clock: Clock,
    sleep: Callable[[float], None],
) -> Report:
    """Poll for `duration_s` (by `clock`), collecting the latency of every new signal."""
    started = clock()
    watcher = SignalWatcher(connection, clock, since=started - LOOKBACK)
    watcher.ignore_existing()
    first_total = event_total(connection)
    latencies: list[float] = []
    while (clock() - started).total_seconds() < duration_s:
        sleep(poll_s)
        latencies.extend(watcher.poll())
    elapsed = (clock() - started).total_seconds()
    return Report(latencies, event_total(connection) - first_total, elapsed, poll_s)


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default="postgresql://root@127.0.0.1:4566/dev")
    parser.add_argument("--duration", type=_positive, default=120.0, help="seconds to measure")
    parser.add_argument("--poll", type=_positive, default=0.5, help="seconds between polls")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table (CI summary)")
    args = parser.parse_args(argv)
    try:
        connection = psycopg2.connect(args.dsn, connect_timeout=5)
    except psycopg2.OperationalError as error:
        first_line = str(error).strip().splitlines()[0]
        print(f"bench-e2e: cannot reach RisingWave at {args.dsn}: {first_line}", file=sys.stderr)
        return 1
    connection.autocommit = True
    try:
        report = measure(
            connection,
            duration_s=args.duration,
            poll_s=args.poll,
            clock=lambda: datetime.now(UTC),
            sleep=time.sleep,
        )
    finally:
        connection.close()
    print(report.markdown() if args.markdown else report.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
