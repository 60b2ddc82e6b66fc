"""`make bench-engine`: `make bench-e2e` against the test engine (tests/engine/), no Docker.

Starts the tests' Kafka broker and the RisingWave build of `make engine` with its test settings
(tests/support/risingwave.py), builds the stack with the real dbt job, runs the producer at
--rate transactions/s, lets it warm up, runs scripts/bench_e2e.py for --duration seconds, then
times --flushes FLUSH statements under the same load (what a case decision's write waits for,
cases/store.py) and prints the engine's resident memory. The figures are for that unoptimised
build on this machine, not for a release image (docs/engine.md).

    python scripts/bench_engine.py [--rate 20] [--fraud-rate 0.1] [--warm-up 60] [--duration 120]
        [--flushes 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from producers.settings import DENSE_FLAT  # noqa: E402
from tests.engine.conftest import build_stack, log  # noqa: E402
from tests.support import risingwave  # noqa: E402
from tests.support.kafka_broker import KafkaBroker  # noqa: E402


def _flush_seconds(dsn: str, count: int) -> list[float]:
    """Seconds each of `count` FLUSH statements took, one after the other."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        took = []
        with conn.cursor() as cur:
            for _ in range(count):
                began = time.monotonic()
                cur.execute("flush")
                took.append(time.monotonic() - began)
        return took
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="transactions per second")
    parser.add_argument("--warm-up", type=float, default=60.0, help="seconds before measuring")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds to measure")
    parser.add_argument("--flushes", type=int, default=5, help="FLUSH statements to time")
    # Latency needs detections: the default world's realistic prevalence (FRAUD_RATE 0.002)
    # completes a few fraud patterns an hour at 20 tx/s.
    parser.add_argument("--fraud-rate", type=float, default=0.1, help="the producer's FRAUD_RATE")
    args = parser.parse_args()
    reason = risingwave.missing_prerequisite()
    if reason is not None:
        print(f"bench-engine: {reason}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as work:
        base = Path(work)
        with KafkaBroker(base / "kafka") as broker, risingwave.RisingWave(base / "rw") as engine:
            stack, failure = build_stack(engine, broker.bootstrap_servers)
            if failure:
                print(f"bench-engine: the dbt job failed:\n{failure}", file=sys.stderr)
                return 1
            producer = subprocess.Popen(
                [sys.executable, "-m", "producers"],
                env={
                    **os.environ,
                    "PYTHONPATH": str(ROOT),
                    "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
                    # The dense flat stream (its pool sized from the rate): load, at once.
                    "ACTIVITY": "flat",
                    "LOOKALIKE_RATE": str(DENSE_FLAT["lookalike_rate"]),
                    "TRANSACTION_RATE": str(args.rate),
                    "FRAUD_RATE": str(args.fraud_rate),
                },
                cwd=base,
                stdout=(base / "producer.out").open("wb"),
                stderr=(base / "producer.err").open("wb"),
            )
            try:
                time.sleep(args.warm_up)
                bench = subprocess.run(
                    [
                        sys.executable,
                        str(ROOT / "scripts" / "bench_e2e.py"),
                        "--dsn",
                        engine.dsn(),
                        "--duration",
                        str(args.duration),
                    ],
                    env={**os.environ, "PYTHONPATH": str(ROOT)},
                    check=False,
                )
                flushes = sorted(_flush_seconds(engine.dsn(), args.flushes))
                log(
                    f"FLUSH under load ({len(flushes)}): fastest {flushes[0]:.2f} s,"
                    f" median {flushes[len(flushes) // 2]:.2f} s, slowest {flushes[-1]:.2f} s"
                )
                log(
                    f"dbt job {stack.timings['dbt_job_s']:.0f} s; engine RSS"
                    f" {engine.rss_bytes() / 2**20:.0f} MiB at {args.rate:g} tx/s,"
                    f" parallelism {risingwave.PARALLELISM}"
                )
            finally:
                producer.terminate()
                producer.wait(60)
            return bench.returncode


if __name__ == "__main__":
    sys.exit(main())
