"""`python -m producers.bench`: generation throughput (no broker) and peak memory.

Generates and serialises records exactly as the jsonl sink does, on one core, in each world, and
prints one line per figure. Publish throughput against a real broker is measured by
`producers.bench_publish`.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, datetime

from producers import jsonl
from producers.activity import PAYMENTS_PER_CUSTOMER_PER_DAY, SECONDS_PER_DAY
from producers.generator import generate
from producers.models import Transaction
from producers.settings import DENSE_FLAT, Settings

TARGET_EVENTS_PER_SECOND = 30_000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m producers.bench", description=__doc__)
    parser.add_argument("--events", type=int, default=300_000, help="records to generate")
    parser.add_argument(
        "--customers",
        type=int,
        default=0,
        help="instead, measure start-up and memory of a pool this large at ACTIVITY=cycles",
    )
    args = parser.parse_args()
    if args.customers:
        startup(args.customers)
        return
    for world in ("clean", "realistic"):
        settings = Settings(_env_file=None, **DENSE_FLAT, fraud_rate=0.1, world=world)
        records = generate(settings, start=datetime(2026, 1, 1, tzinfo=UTC), events=args.events)
        started = time.perf_counter()
        size = sum(len(jsonl.line(record)) for record in records)
        elapsed = time.perf_counter() - started
        rate = args.events / elapsed
        verdict = "meets" if rate >= TARGET_EVENTS_PER_SECOND else "MISSES"
        print(
            f"generate+serialise (WORLD={world}): {args.events} events in {elapsed:.2f} s"
            f" = {rate:,.0f} events/s ({verdict} the {TARGET_EVENTS_PER_SECOND:,}/s target),"
            f" {size / args.events:.0f} B/event"
        )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak_mib:.0f} MiB")


def startup(customers: int) -> None:
    """Time to build the pool, serialise every KYC profile and reach the first transaction (what
    a live producer publishes first), and the memory it holds."""
    rate = customers * PAYMENTS_PER_CUSTOMER_PER_DAY / SECONDS_PER_DAY
    settings = Settings(
        _env_file=None, activity="cycles", customer_pool_size=customers, transaction_rate=rate
    )
    # CPU seconds beside wall seconds: on a shared machine the first are what reproduces.
    started, cpu_started = time.perf_counter(), time.process_time()
    records = generate(settings, start=datetime(2026, 1, 1, tzinfo=UTC))
    next(records)
    first, first_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    for _ in range(customers - 1):
        jsonl.line(next(records))
    for record in records:
        if isinstance(record, Transaction):
            jsonl.line(record)
            break
    ready, ready_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"start-up with {customers:,} customers (TRANSACTION_RATE {rate:.2f}/s):"
        f" first record after {first:.1f} s ({first_cpu:.1f} CPU-s), first transaction"
        f" after every KYC profile serialised {ready:.1f} s ({ready_cpu:.1f} CPU-s),"
        f" peak memory (RSS) {peak_mib:.0f} MiB"
    )


if __name__ == "__main__":
    main()
