"""The publisher of the client KAFKA_CLIENT names."""

from __future__ import annotations

from producers.publishers.base import Publisher
from producers.settings import Settings
from producers.stats import PublishStats


def open_publisher(settings: Settings, stats: PublishStats, *, topic_suffix: str = "") -> Publisher:
    """The publisher of the client KAFKA_CLIENT names, connected (or BrokerLost)."""
    if settings.kafka_client == "confluent-kafka":
        # Imported only when chosen: confluent-kafka is an optional extra.
        from producers.publishers.confluent import ConfluentPublisher

        return ConfluentPublisher(settings, stats, topic_suffix=topic_suffix)
    from producers.publishers.kafka_python import KafkaPublisher

    return KafkaPublisher(settings, stats, topic_suffix=topic_suffix)
