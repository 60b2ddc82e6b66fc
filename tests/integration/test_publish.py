"""Generated events published through the runner come back from a real broker, intact.

Every test runs once per KAFKA_CLIENT: the clients give the same guarantees.
"""

from __future__ import annotations

import json
import logging
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from kafka.partitioner import murmur2

from common.heartbeat import Heartbeat
from producers.generator import generate
from producers.models import FraudLabel, Record
from producers.runner import run_kafka
from tests.integration.helpers import START, broker_settings, payload_fields, read_topics
from tests.support.clock import FakeClock
from tests.support.kafka_broker import ExternalBroker, KafkaBroker

pytestmark = pytest.mark.integration

EVENTS = 3000
# 13 to 19 digits in a row would be a card number (PAN); none may ever be published.
_PAN = re.compile(rb"\d{13,19}")
LOG_APPEND_TIME = 1  # ConsumerRecord.timestamp_type


def _java_partition(key: bytes, partitions: int) -> int:
    """The partition Kafka's Java client (and kafka-python) picks for a key."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def test_every_event_comes_back_with_its_key_schema_and_the_brokers_timestamp(
    kafka_broker: KafkaBroker | ExternalBroker,
    topic_suffix: str,
    kafka_client: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = broker_settings(
        kafka_broker.bootstrap_servers, fraud_rate=0.3, kafka_client=kafka_client
    )
    records = list(generate(settings, start=START, events=EVENTS))
    labels = sum(isinstance(record, FraudLabel) for record in records)

    began_ms = time.time_ns() // 1_000_000
    with caplog.at_level(logging.INFO, logger="producers.runner"):
        code = run_kafka(settings, records, FakeClock(START), topic_suffix=topic_suffix)

    assert code == 0
    messages = read_topics(kafka_broker.bootstrap_servers, topic_suffix)
    sent = Counter(
        (record.topic + topic_suffix, record.key, record.payload()) for record in records
    )
    received = Counter((message.topic, message.key.decode(), message.value) for message in messages)
    assert len(messages) == EVENTS
    assert received == sent
    # The producer stamps event times (2026-01-05); the topics' LogAppendTime replaces them with
    # the broker's clock, so `ingested_at` is when each event arrived.
    ended_ms = time.time_ns() // 1_000_000
    assert {message.timestamp_type for message in messages} == {LOG_APPEND_TIME}
    assert all(began_ms - 1000 <= message.timestamp <= ended_ms for message in messages)
    for message in messages:
        topic = message.topic.removesuffix(topic_suffix)
        assert set(json.loads(message.value)) == payload_fields(topic)
        assert not _PAN.search(message.value)
        # Both clients place a key alike: switching KAFKA_CLIENT keeps each key's order.
        assert message.partition == _java_partition(message.key, settings.topic_partitions)
    assert (
        f"sent={EVENTS} acknowledged={EVENTS} failed=0 scenarios_injected={labels}" in caplog.text
    )


def test_a_record_is_sent_only_once_the_clock_reaches_its_time(
    kafka_broker: KafkaBroker | ExternalBroker, topic_suffix: str, kafka_client: str
) -> None:
    settings = broker_settings(kafka_broker.bootstrap_servers, kafka_client=kafka_client)
    records = list(generate(settings, start=START, events=300))
    clock = FakeClock(START - timedelta(seconds=30))
    published_at: list[datetime] = []

    def watched() -> Iterator[Record]:
        for record in records:
            yield record
            # The runner asks for the next record only after publishing this one.
            published_at.append(clock.now())

    assert run_kafka(settings, watched(), clock, topic_suffix=topic_suffix) == 0

    assert len(published_at) == len(records)
    assert all(
        moment >= record.timestamp for moment, record in zip(published_at, records, strict=True)
    )
    # It waits for each record, and no longer.
    assert abs(clock.now() - records[-1].timestamp) < timedelta(milliseconds=1)


def test_sigterm_stops_the_run_and_keeps_what_was_sent(
    kafka_broker: KafkaBroker | ExternalBroker, topic_suffix: str, kafka_client: str
) -> None:
    settings = broker_settings(kafka_broker.bootstrap_servers, kafka_client=kafka_client)
    records = list(generate(settings, start=START, events=1000))
    stop_before = 700

    def terminated() -> Iterator[Record]:
        for index, record in enumerate(records):
            if index == stop_before:
                signal.raise_signal(signal.SIGTERM)
            yield record

    previous = signal.getsignal(signal.SIGTERM)
    assert run_kafka(settings, terminated(), FakeClock(START), topic_suffix=topic_suffix) == 0

    assert signal.getsignal(signal.SIGTERM) is previous
    messages = read_topics(kafka_broker.bootstrap_servers, topic_suffix)
    assert sorted(message.value for message in messages) == sorted(
        record.payload() for record in records[:stop_before]
    )


def test_the_publishing_loop_beats(
    kafka_broker: KafkaBroker | ExternalBroker, topic_suffix: str, tmp_path: Path
) -> None:
    """The loop touches the heartbeat file the container's healthcheck reads."""
    settings = broker_settings(kafka_broker.bootstrap_servers)
    heartbeat = tmp_path / "heartbeat"
    records = list(generate(settings, start=START, events=20))

    code = run_kafka(
        settings,
        records,
        FakeClock(START),
        topic_suffix=topic_suffix,
        heartbeat=Heartbeat(heartbeat),
    )

    assert code == 0
    assert heartbeat.exists()
