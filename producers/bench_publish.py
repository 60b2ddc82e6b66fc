"""`python -m producers.bench_publish`: events/s a real broker acknowledges from KafkaPublisher.

Records are generated first (not timed), then published without pacing and flushed: the figure
is acknowledged events over the time from the first send to the end of the flush. The broker is
KAFKA_BOOTSTRAP_SERVERS when set, else a throwaway local KRaft node (`make kafka-jars` first).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from producers.generator import generate
from producers.models import Record
from producers.publisher import BrokerUnavailable, KafkaPublisher
from producers.settings import Settings
from producers.stats import PublishStats
from producers.topics import TopicSetupError, ensure_topics

TARGET_EVENTS_PER_SECOND = 20_000
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


def _publish(settings: Settings, records: list[Record]) -> tuple[PublishStats, float]:
    suffix = f"-bench-{uuid.uuid4().hex[:8]}"
    ensure_topics(settings, topic_suffix=suffix)
    stats = PublishStats()
    with KafkaPublisher(settings, stats, topic_suffix=suffix) as publisher:
        started = time.perf_counter()
        for record in records:
            publisher.publish(record)
        publisher.flush()
        return stats, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m producers.bench_publish", description=__doc__)
    parser.add_argument("--events", type=int, default=200_000, help="records to publish")
    parser.add_argument(
        "--compression", choices=("none", "gzip"), default="gzip", help="COMPRESSION_TYPE"
    )
    args = parser.parse_args()
    records = list(
        generate(Settings(_env_file=None, fraud_rate=0.1), start=START, events=args.events)
    )
    with _broker() as bootstrap_servers:
        settings = Settings(
            _env_file=None,
            kafka_bootstrap_servers=bootstrap_servers,
            compression_type=args.compression,
            broker_wait_seconds=30.0,
        )
        try:
            stats, elapsed = _publish(settings, records)
        except (BrokerUnavailable, TopicSetupError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    rate = stats.total_acknowledged / elapsed
    verdict = "meets" if rate >= TARGET_EVENTS_PER_SECOND else "MISSES"
    print(
        f"publish ({args.compression}, acks=all, idempotent): {stats.total_acknowledged} of"
        f" {len(records)} events acknowledged in {elapsed:.2f} s = {rate:,.0f} events/s"
        f" ({verdict} the {TARGET_EVENTS_PER_SECOND:,}/s target), {stats.total_failed} failed"
    )
    return 0 if stats.total_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
