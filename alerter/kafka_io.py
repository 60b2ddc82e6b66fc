"""Kafka plumbing shared by the ledger and the dead-letter queue: topics, sends, read-back."""

from __future__ import annotations

from collections.abc import Sequence

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from producers.topics import TOPIC_CONFIGS, TopicSetupError, stamp_with_append_time


class BrokerLost(Exception):
    """Kafka stayed unreachable past the configured wait: reported in one line, then exit 1."""


def ensure_topics(admin: KafkaAdminClient, topics: Sequence[NewTopic]) -> None:
    """Create the topics that do not exist yet, on broker time (LogAppendTime) as every topic of
    the pipeline; an existing one keeps its data and configs but is switched to broker time."""
    existing = set(admin.list_topics())
    missing = [
        NewTopic(
            topic.name,
            topic.num_partitions,
            topic.replication_factor,
            topic_configs={**(topic.topic_configs or {}), **TOPIC_CONFIGS},
        )
        for topic in topics
        if topic.name not in existing
    ]
    try:
        stamp_with_append_time(admin, [topic.name for topic in topics if topic.name in existing])
    except TopicSetupError as error:  # refused (e.g. no ALTER_CONFIGS right): one line, exit 1
        raise BrokerLost(str(error)) from None
    if not missing:
        return
    try:
        admin.create_topics(missing, wait_for_metadata=True)
    except TopicAlreadyExistsError:  # another instance created it meanwhile
        return


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
