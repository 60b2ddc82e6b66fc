"""Create every topic of the event contract, idempotently, each stamped with the broker's clock.

Records carry their event time as the producer's timestamp, but `ingested_at` downstream must be
when the broker received them: every topic uses LogAppendTime (`common.kafka.ensure_topics`).
"""

from __future__ import annotations

import logging

from kafka.admin import KafkaAdminClient

from common import kafka
from producers.models import TOPICS
from producers.settings import Settings

log = logging.getLogger(__name__)


def ensure_topics(settings: Settings, *, topic_suffix: str = "") -> list[str]:
    """Create the missing topics of `models.TOPICS` (+ suffix); return the names created."""
    broker = settings.broker
    admin: KafkaAdminClient = kafka.connect_with_retry(
        lambda bootstrap_timeout_ms: KafkaAdminClient(
            bootstrap_servers=broker.bootstrap,
            client_id="fraud-producer-admin",
            bootstrap_timeout_ms=bootstrap_timeout_ms,
        ),
        broker,
    )
    sizes = (settings.topic_partitions, settings.topic_replication_factor)
    topics = [kafka.Topic(topic + topic_suffix, *sizes) for topic in TOPICS]
    try:
        created = kafka.ensure_topics(admin, topics, broker.wait_s, sizes=settings.topic_sizes())
    finally:
        admin.close()
    log.info("topics ready: %s (created %d)", ", ".join(t.name for t in topics), len(created))
    return created
