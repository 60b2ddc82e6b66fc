"""`python -m producers.bench_publish`: events/s a real broker acknowledges, per Kafka client.

Records are generated first (not timed), then each client (KAFKA_CLIENT) publishes all of them
with each COMPRESSION_TYPE, without pacing, to topics of its own on the same broker and flushes:
a run's figure is acknowledged events over the time from the first send to the end of the flush.
The producer process is pinned to one CPU (`--cpu`) once the broker runs, so the figure is what
one core of producer achieves; the broker is another process. On a shared machine other work
takes part of that core: each row also gives the producer's own CPU time (all its threads), its
share of the core, and events per CPU-second, a steadier figure there than events/s. The broker
is KAFKA_BOOTSTRAP_SERVERS when set, else a throwaway local KRaft node (`make kafka-jars` first).
An untimed warm-up run goes first, so the broker's JIT is warm for every client alike.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import get_args

from common.kafka import BrokerLost, TopicSetupError
from common.runtime import CLIENT_LOGGERS
from producers.generator import generate
from producers.models import Record
from producers.publishers.factory import open_publisher
from producers.settings import DENSE_FLAT, Settings
from producers.stats import PublishStats
from producers.topics import ensure_topics

CLIENTS: tuple[str, ...] = get_args(Settings.model_fields["kafka_client"].annotation)
_DEFAULT_COMPRESSION = Settings.model_fields["compression_type"].default
COMPRESSIONS: tuple[str, ...] = tuple(
    sorted(
        get_args(Settings.model_fields["compression_type"].annotation),
        key=lambda name: name != _DEFAULT_COMPRESSION,
    )
)
# kafka-python is the default's design target; confluent-kafka is there for load generation.
TARGET_EVENTS_PER_SECOND = {"kafka-python": 20_000, "confluent-kafka": 50_000}
# The Python module each client needs: a client not installed is reported, not measured.
CLIENT_MODULE = {"kafka-python": "kafka", "confluent-kafka": "confluent_kafka"}
# A fixed past start: event times far ahead of the broker's clock would be rejected.
START = datetime(2026, 1, 1, tzinfo=UTC)


@contextmanager
def _broker() -> Iterator[str]:
    """Bootstrap servers of the broker to measure against."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    # The harness lives with the tests: this bench runs from a source checkout (`make bench`).
    from tests.support.kafka_broker import KafkaBroker, missing_prerequisite

    reason = missing_prerequisite()
    if reason is not None:
        raise SystemExit(f"error: cannot start a local Kafka broker: {reason}")
    with tempfile.TemporaryDirectory(prefix="bench-kafka-") as work_dir:
        broker = KafkaBroker(Path(work_dir))
        with broker:
            print(f"local Kafka broker started in {broker.startup_seconds:.1f} s")
            yield broker.bootstrap_servers


def _publish(settings: Settings, records: list[Record]) -> tuple[PublishStats, float, float]:
    """Stats, wall seconds and process CPU seconds of publishing `records` and flushing."""
    suffix = f"-bench-{uuid.uuid4().hex[:8]}"
    ensure_topics(settings, topic_suffix=suffix)
    stats = PublishStats()
    with open_publisher(settings, stats, topic_suffix=suffix) as publisher:
        started, cpu_started = time.perf_counter(), time.process_time()
        for record in records:
            publisher.publish(record)
        publisher.flush()
        return stats, time.perf_counter() - started, time.process_time() - cpu_started


HEADER = (
    f"  {'client':<16} {'compression':<11} {'acknowledged':>15} {'seconds':>8} {'events/s':>9}"
    f"  {'target':<17} {'CPU s':>6} {'core':>5} {'events/CPU-s':>12}"
)


def _row(
    client: str, compression: str, stats: PublishStats, events: int, elapsed: float, cpu: float
) -> str:
    acknowledged = stats.total_acknowledged
    rate = acknowledged / elapsed
    target = TARGET_EVENTS_PER_SECOND[client]
    verdict = "meets" if rate >= target else "MISSES"
    return (
        f"  {client:<16} {compression:<11} {f'{acknowledged}/{events}':>15} {elapsed:8.2f}"
        f" {rate:>9,.0f}  {f'{verdict} {target:,}/s':<17} {cpu:6.2f} {cpu / elapsed:>5.0%}"
        f" {acknowledged / cpu:>12,.0f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m producers.bench_publish", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="records to publish per run")
    parser.add_argument(
        "--compression",
        choices=COMPRESSIONS,
        action="append",
        help="COMPRESSION_TYPE to measure (repeatable); default all, the setting's default first",
    )
    parser.add_argument(
        "--client",
        choices=CLIENTS,
        action="append",
        help="KAFKA_CLIENT to measure (repeatable); default all",
    )
    parser.add_argument(
        "--cpu", type=int, default=0, help="CPU the producer is pinned to; -1 leaves it unpinned"
    )
    parser.add_argument("--warmup", type=int, default=20_000, help="untimed records first")
    args = parser.parse_args()
    # Pinning is Linux's (sched_setaffinity); elsewhere the producer runs unpinned.
    pin = args.cpu >= 0 and hasattr(os, "sched_setaffinity")
    for client_logger in CLIENT_LOGGERS:
        logging.getLogger(client_logger).setLevel(logging.CRITICAL)
    clients: list[str] = args.client or list(CLIENTS)
    compressions: list[str] = args.compression or list(COMPRESSIONS)
    installed = [client for client in clients if find_spec(CLIENT_MODULE[client])]
    records = list(
        generate(
            Settings(_env_file=None, **DENSE_FLAT, fraud_rate=0.1), start=START, events=args.events
        )
    )
    rows: list[str] = []
    failed = 0
    with _broker() as bootstrap_servers:
        # After the broker started: a child started later would inherit the pinning.
        if pin:
            os.sched_setaffinity(0, {args.cpu})
        runs = [(installed[-1], compressions[0], args.warmup)] + [
            (client, compression, len(records))
            for compression in compressions
            for client in installed
        ]
        try:
            for index, (client, compression, count) in enumerate(runs):
                settings = Settings(
                    _env_file=None,
                    kafka_bootstrap_servers=bootstrap_servers,
                    kafka_client=client,
                    compression_type=compression,
                    broker_wait_seconds=30.0,
                )
                stats, elapsed, cpu = _publish(settings, records[:count])
                if index > 0:  # the first run is the warm-up
                    rows.append(_row(client, compression, stats, count, elapsed, cpu))
                    failed += stats.total_failed
        except (BrokerLost, TopicSetupError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    where = f"producer pinned to CPU {args.cpu}" if pin else "producer unpinned"
    print(f"publish (acks=all, idempotent, {where}; core = CPU time / wall time):")
    print(HEADER)
    print("\n".join(rows))
    for client in clients:
        if client not in installed:
            print(f"  {client:<16} not installed (pip install -e '.[load]')")
    if failed:
        print(f"error: {failed} events not acknowledged", file=sys.stderr)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
