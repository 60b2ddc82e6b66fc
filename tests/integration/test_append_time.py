"""`ingested_at` is the broker's arrival time: topics are created (or switched) to LogAppendTime.

The tests' broker keeps the default CreateTime, as Redpanda does: only the topic config can make
a record come back with the broker's time, so removing it fails these tests.
"""

from __future__ import annotations

import time
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.consumer.fetcher import ConsumerRecord

from common import kafka
from common.kafka import TIMESTAMP_TYPE
from producers.models import TOPICS
from producers.topics import ensure_topics
from tests.integration.helpers import broker_settings
from tests.support.kafka_broker import ExternalBroker, KafkaBroker

pytestmark = pytest.mark.integration

HOUR_MS = 3_600_000
# The record's trip (produce, append, fetch) on loopback; generous for a loaded machine.
TOLERANCE_MS = 10_000
LOG_APPEND_TIME = 1  # ConsumerRecord.timestamp_type: 0 CreateTime, 1 LogAppendTime
OLD_STAMP = 1_700_000_000_000  # a record written before the upgrade, with its producer's time


@pytest.fixture
def create_time_broker(kafka_broker: KafkaBroker | ExternalBroker) -> KafkaBroker:
    """The session's broker, whose default timestamp type is known: CreateTime."""
    if isinstance(kafka_broker, ExternalBroker):
        pytest.skip("an external broker's default timestamp type is not ours to know")
    return kafka_broker


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _produce(bootstrap_servers: str, topic: str, timestamp_ms: int) -> None:
    """One record stamped `timestamp_ms` to partition 0 (keyed: compacted topics need a key)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    try:
        producer.send(
            topic, b'{"probe": true}', key=b"probe", partition=0, timestamp_ms=timestamp_ms
        ).get(30)
    finally:
        producer.close()


def _read(bootstrap_servers: str, topic: str, count: int) -> list[ConsumerRecord]:
    """The first `count` records of partition 0 of `topic`."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        records: list[ConsumerRecord] = []
        deadline = time.monotonic() + 30
        while len(records) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=1000).values():
                records.extend(batch)
    finally:
        consumer.close()
    assert len(records) >= count, f"read {len(records)} of {count} records back from {topic}"
    return records[:count]


def _round_trip(bootstrap_servers: str, topic: str, timestamp_ms: int) -> ConsumerRecord:
    _produce(bootstrap_servers, topic, timestamp_ms)
    return _read(bootstrap_servers, topic, 1)[0]


def _timestamp_type(bootstrap_servers: str, topic: str) -> str:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, {TIMESTAMP_TYPE: None})],
            config_filter="all",
        )
    finally:
        admin.close()
    return described["topic"][topic][TIMESTAMP_TYPE]["value"]


def _assert_broker_time(record: ConsumerRecord, sent_at_ms: int) -> None:
    assert record.timestamp_type == LOG_APPEND_TIME
    assert sent_at_ms - TOLERANCE_MS <= record.timestamp <= _now_ms() + TOLERANCE_MS


def test_a_record_stamped_an_hour_ahead_comes_back_with_the_brokers_time(
    create_time_broker: KafkaBroker, topic_suffix: str
) -> None:
    servers = create_time_broker.bootstrap_servers
    ensure_topics(broker_settings(servers), topic_suffix=topic_suffix)

    sent_at = _now_ms()
    record = _round_trip(servers, "transactions" + topic_suffix, sent_at + HOUR_MS)

    _assert_broker_time(record, sent_at)
    for topic in TOPICS:
        assert _timestamp_type(servers, topic + topic_suffix) == "LogAppendTime"


def test_without_the_topic_config_this_broker_keeps_the_producers_stamp(
    create_time_broker: KafkaBroker, topic_suffix: str
) -> None:
    """The control: what the test above would see if the topic config were dropped."""
    servers = create_time_broker.bootstrap_servers
    topic = "transactions" + topic_suffix
    admin = KafkaAdminClient(bootstrap_servers=servers)
    try:
        admin.create_topics([NewTopic(topic, 1, 1)], wait_for_metadata=True)
    finally:
        admin.close()

    stamp = _now_ms() + HOUR_MS
    record = _round_trip(servers, topic, stamp)

    assert (record.timestamp_type, record.timestamp) == (0, stamp)


def test_an_existing_create_time_topic_is_switched_and_keeps_its_data(
    create_time_broker: KafkaBroker, topic_suffix: str
) -> None:
    servers = create_time_broker.bootstrap_servers
    topic = "transactions" + topic_suffix
    admin = KafkaAdminClient(bootstrap_servers=servers)
    try:
        admin.create_topics(
            [NewTopic(topic, 1, 1, topic_configs={TIMESTAMP_TYPE: "CreateTime"})],
            wait_for_metadata=True,
        )
    finally:
        admin.close()
    _produce(servers, topic, OLD_STAMP)

    created = ensure_topics(broker_settings(servers), topic_suffix=topic_suffix)

    assert topic not in created
    assert _timestamp_type(servers, topic) == "LogAppendTime"
    sent_at = _now_ms()
    _produce(servers, topic, sent_at + HOUR_MS)
    old, new = _read(servers, topic, 2)
    assert (old.offset, old.timestamp_type, old.timestamp) == (0, 0, OLD_STAMP)
    assert new.offset == 1
    _assert_broker_time(new, sent_at)


def test_the_alerters_topics_are_created_and_switched_to_broker_time(
    create_time_broker: KafkaBroker,
) -> None:
    servers = create_time_broker.bootstrap_servers
    suffix = uuid.uuid4().hex[:8]
    existing, fresh = f"fraud_cases.dlq-{suffix}", f"fraud_cases.delivered-{suffix}"
    admin = KafkaAdminClient(bootstrap_servers=servers)
    try:
        admin.create_topics([NewTopic(existing, 1, 1)], wait_for_metadata=True)
        kafka.ensure_topics(
            admin,
            [kafka.Topic(existing, 1, 1), kafka.Topic(fresh, 1, 1, {"cleanup.policy": "compact"})],
            30.0,
            sizes="ALERTER_TOPIC_REPLICATION_FACTOR=1",
        )
        compacted = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, fresh, {"cleanup.policy": None})],
            config_filter="all",
        )["topic"][fresh]["cleanup.policy"]["value"]
    finally:
        admin.close()

    assert _timestamp_type(servers, existing) == "LogAppendTime"
    assert _timestamp_type(servers, fresh) == "LogAppendTime"
    assert compacted == "compact"
    _assert_broker_time(_round_trip(servers, fresh, 1), _now_ms())
