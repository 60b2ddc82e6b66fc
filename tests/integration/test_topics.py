"""Topic creation on a real broker: idempotent, and a plain error when the broker refuses."""

from __future__ import annotations

import pytest
from kafka.admin import KafkaAdminClient

from common.kafka import TopicSetupError
from producers.models import TOPICS
from producers.topics import ensure_topics
from tests.integration.helpers import broker_settings
from tests.support.kafka_broker import ExternalBroker, KafkaBroker

pytestmark = pytest.mark.integration


def test_topic_creation_is_idempotent(
    kafka_broker: KafkaBroker | ExternalBroker, topic_suffix: str
) -> None:
    settings = broker_settings(kafka_broker.bootstrap_servers, topic_partitions=2)
    names = sorted(topic + topic_suffix for topic in TOPICS)

    first = ensure_topics(settings, topic_suffix=topic_suffix)
    second = ensure_topics(settings, topic_suffix=topic_suffix)

    assert sorted(first) == names
    assert second == []
    admin = KafkaAdminClient(bootstrap_servers=kafka_broker.bootstrap_servers)
    try:
        described = admin.describe_topics(names)
    finally:
        admin.close()
    assert {topic["name"]: len(topic["partitions"]) for topic in described} == dict.fromkeys(
        names, 2
    )


def test_a_replication_factor_the_cluster_cannot_meet_is_refused_plainly(
    kafka_broker: KafkaBroker | ExternalBroker, topic_suffix: str
) -> None:
    settings = broker_settings(kafka_broker.bootstrap_servers, topic_replication_factor=50)

    with pytest.raises(TopicSetupError, match=r"TOPIC_REPLICATION_FACTOR=50\): transactions-"):
        ensure_topics(settings, topic_suffix=topic_suffix)
