"""What the producer integration tests share: settings, a fixed start, reading topics back."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.record import MemoryRecords
from kafka.record.default_records import DefaultRecordBatch

from producers.models import EVENT_TYPES, LABEL_TYPES, TOPICS
from producers.settings import DENSE_FLAT, Settings

# A fixed past date: timestamps far ahead of the broker's clock would be rejected.
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MODEL_OF_TOPIC = {model.topic: model for model in (*EVENT_TYPES, *LABEL_TYPES)}
READ_DEADLINE_S = 60.0


def broker_settings(bootstrap_servers: str, **overrides: Any) -> Settings:
    """Producer settings from the dense flat stream and `overrides` only (no `.env`): a small
    pool, so that a test's first transaction comes at once."""
    values: dict[str, Any] = {
        **DENSE_FLAT,
        "kafka_bootstrap_servers": bootstrap_servers,
        "broker_wait_seconds": 20.0,
        **overrides,
    }
    return Settings(_env_file=None, **values)


def payload_fields(topic: str) -> set[str]:
    """The keys a payload of `topic` must carry: the model's fields minus ground truth."""
    model = MODEL_OF_TOPIC[topic]
    return {name for name, field in model.model_fields.items() if not field.exclude}


def read_topics(bootstrap_servers: str, topic_suffix: str) -> list[ConsumerRecord]:
    """Every message of the contract's topics (+ suffix), from the start to the current end."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, group_id=None
    )
    try:
        partitions = [
            TopicPartition(topic + topic_suffix, partition)
            for topic in TOPICS
            for partition in sorted(consumer.partitions_for_topic(topic + topic_suffix) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        messages: list[ConsumerRecord] = []
        deadline = time.monotonic() + READ_DEADLINE_S
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            if time.monotonic() > deadline:
                raise AssertionError(f"could not read {sum(end.values())} messages back in time")
            for batch in consumer.poll(timeout_ms=1000).values():
                messages.extend(batch)
        return messages
    finally:
        consumer.close()


def stored_batches(data_dir: Path, topic_suffix: str) -> list[DefaultRecordBatch]:
    """Every record batch of the contract's topics (+ suffix) as the broker stored it on disk:
    compression, producer id and size exactly as the producer sent them."""
    batches: list[DefaultRecordBatch] = []
    for topic in TOPICS:
        for segment in sorted(data_dir.glob(f"{topic}{topic_suffix}-*/*.log")):
            records = MemoryRecords(segment.read_bytes())
            while (batch := records.next_batch()) is not None:
                assert isinstance(batch, DefaultRecordBatch), "not a v2 record batch"
                batches.append(batch)
    return batches
