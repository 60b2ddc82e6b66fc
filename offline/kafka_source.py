"""Consuming topics from a Kafka broker into loader messages (the backtest's Kafka path)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from kafka import KafkaConsumer, TopicPartition

from offline.load import Message

POLL_TIMEOUT_MS = 1000


class ConsumeTimeout(RuntimeError):
    """The topics were not read to their end offsets in time."""


def consume_all(
    bootstrap_servers: str, topics: Iterable[str], *, timeout_s: float
) -> Iterator[Message]:
    """Every message currently in `topics`, from the beginning to the end offsets seen at start.

    The Kafka message timestamp becomes the message's timestamp (ingested_at), as
    `INCLUDE timestamp AS ingested_at` does on RisingWave.
    """
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        consumer_timeout_ms=POLL_TIMEOUT_MS,
    )
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end_offsets = consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < end for tp, end in end_offsets.items()):
            if time.monotonic() > deadline:
                raise ConsumeTimeout(f"topics not read to their end within {timeout_s:g} s")
            for batch in consumer.poll(timeout_ms=POLL_TIMEOUT_MS).values():
                for record in batch:
                    yield Message(
                        record.topic,
                        datetime.fromtimestamp(record.timestamp / 1000, UTC),
                        record.value,
                    )
    finally:
        consumer.close()
