"""Create every topic of the event contract, idempotently, each stamped with the broker's clock.

Records carry their event time as the producer's timestamp, but `ingested_at` downstream must be
when the broker received them: every topic uses LogAppendTime, and a topic that exists with
another timestamp type is switched (an upgrade); its data and other configs are left alone.
"""

from __future__ import annotations

import logging
import time

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
from kafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from producers.models import TOPICS
from producers.publisher import connect_with_retry
from producers.settings import Settings

log = logging.getLogger(__name__)

# The one topic config of the pipeline (scripts/create_topics.sh sets the same; a test keeps them
# equal): the broker overwrites each record's timestamp with its append time.
TIMESTAMP_TYPE = "message.timestamp.type"
APPEND_TIME = "LogAppendTime"
TOPIC_CONFIGS = {TIMESTAMP_TYPE: APPEND_TIME}
_SETTING = f"{TIMESTAMP_TYPE}={APPEND_TIME}"


class TopicSetupError(Exception):
    """The broker refused to create or configure a topic; one-line message."""


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
                    "configs": TOPIC_CONFIGS,
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
        existing = [name for name in names if name not in created]
        stamp_with_append_time(admin, existing, settings.broker_wait_seconds)
        # A created topic has no partition leaders for a moment; sends before that would stall.
        try:
            admin.wait_for_topics(names, timeout_ms=int(settings.broker_wait_seconds * 1000))
        except KafkaError as error:
            raise TopicSetupError(f"topics not ready: {error}") from None
    finally:
        admin.close()
    log.info("topics ready: %s (created %d)", ", ".join(names), len(created))
    return created


def stamp_with_append_time(
    admin: KafkaAdminClient, names: list[str], timeout_s: float = 10.0
) -> list[str]:
    """Switch the existing topics among `names` that are not on LogAppendTime; return them.

    Returns once the broker reports the new type (the change reaches it a moment after the
    controller accepted it), so that records sent next are stamped by the broker.
    """
    try:
        stale = _not_on_append_time(admin, names)
        if not stale:
            return []
        results = admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name, dict(TOPIC_CONFIGS)) for name in stale],
            raise_on_unknown=False,
        )["topic"]
        refused = [f"{name}: {results.get(name)}" for name in stale if results.get(name) != "OK"]
        if refused:
            raise TopicSetupError(f"cannot set {_SETTING}: {'; '.join(refused)}")
        deadline = time.monotonic() + timeout_s
        while pending := _not_on_append_time(admin, stale):
            if time.monotonic() > deadline:
                raise TopicSetupError(f"{_SETTING} not applied after {timeout_s:g} s: {pending}")
            time.sleep(0.05)
    except KafkaError as error:
        raise TopicSetupError(f"cannot set {_SETTING}: {type(error).__name__}") from None
    log.info("topics switched to %s: %s", APPEND_TIME, ", ".join(stale))
    return stale


def _not_on_append_time(admin: KafkaAdminClient, names: list[str]) -> list[str]:
    if not names:
        return []
    described = admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name, {TIMESTAMP_TYPE: None}) for name in names],
        config_filter="all",
    )["topic"]
    return [
        name
        for name in names
        if described.get(name, {}).get(TIMESTAMP_TYPE, {}).get("value") != APPEND_TIME
    ]
