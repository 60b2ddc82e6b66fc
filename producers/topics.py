"""Create every topic of the event contract, idempotently (existing topics are left as they are)."""

from __future__ import annotations

import logging

from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from producers.models import TOPICS
from producers.publisher import connect_with_retry
from producers.settings import Settings

log = logging.getLogger(__name__)


class TopicSetupError(Exception):
    """The broker refused to create a topic; one-line message."""


def ensure_topics(settings: Settings, *, topic_suffix: str = "") -> list[str]:
    """Create the missing topics of `models.TOPICS` (+ suffix); return the names created."""
    names = [topic + topic_suffix for topic in TOPICS]
    admin: KafkaAdminClient = connect_with_retry(
        lambda bootstrap_timeout_ms: KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap_servers.split(","),
            client_id="fraud-producer-admin",
            bootstrap_timeout_ms=bootstrap_timeout_ms,
        ),
        settings,
    )
    try:
        response = admin.create_topics(
            {
                name: {
                    "num_partitions": settings.topic_partitions,
                    "replication_factor": settings.topic_replication_factor,
                }
                for name in names
            },
            raise_errors=False,
        )
        created: list[str] = []
        refused: list[str] = []
        for topic in response["topics"]:
            code = topic["error_code"]
            if code == 0:
                created.append(topic["name"])
            elif code != TopicAlreadyExistsError.errno:
                reason = topic["error_message"] or for_code(code).__name__
                refused.append(f"{topic['name']}: {reason}")
        if refused:
            raise TopicSetupError(
                "cannot create topics (TOPIC_PARTITIONS="
                f"{settings.topic_partitions}, TOPIC_REPLICATION_FACTOR="
                f"{settings.topic_replication_factor}): {'; '.join(refused)}"
            )
        # A created topic has no partition leaders for a moment; sends before that would stall.
        try:
            admin.wait_for_topics(names, timeout_ms=int(settings.broker_wait_seconds * 1000))
        except KafkaError as error:
            raise TopicSetupError(f"topics not ready: {error}") from None
    finally:
        admin.close()
    log.info("topics ready: %s (created %d)", ", ".join(names), len(created))
    return created
