"""Kafka plumbing shared by the ledger and the dead-letter queue: sends and read-back."""

from __future__ import annotations

from collections.abc import Sequence

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from common.kafka import BrokerLost


def send_all(
    producer: KafkaProducer, topic: str, messages: Sequence[tuple[str, bytes]], timeout_s: float
) -> None:
    """Publish (key, value) pairs and wait until the broker acknowledged every one."""
    try:
        futures = [producer.send(topic, key=key.encode(), value=value) for key, value in messages]
        for future in futures:
            future.get(timeout=timeout_s)
    except KafkaError as error:
        raise BrokerLost(f"could not write to topic {topic}: {type(error).__name__}") from error


def read_keys(consumer: KafkaConsumer, topic: str, timeout_s: float) -> set[str]:
    """Every key currently in `topic`, read from the beginning up to its end at call time."""
    partitions = [
        TopicPartition(topic, partition)
        for partition in sorted(consumer.partitions_for_topic(topic) or ())
    ]
    if not partitions:  # it was just created: reading nothing would forget every delivery
        raise BrokerLost(f"topic {topic} shows no partitions")
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    ends = consumer.end_offsets(partitions)
    keys: set[str] = set()
    while any(consumer.position(partition) < ends[partition] for partition in partitions):
        batches = consumer.poll(timeout_ms=int(timeout_s * 1000))
        if not batches:
            raise BrokerLost(f"could not read topic {topic} back within {timeout_s:g} s")
        for records in batches.values():
            keys.update(record.key.decode() for record in records if record.key is not None)
    return keys
