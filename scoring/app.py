"""Wiring: the champion model (checked before any connection), Kafka clients, output topics;
then the loop."""

from __future__ import annotations

from contextlib import ExitStack, suppress

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from scoring.model import Model
from scoring.registry import Registry
from scoring.service import BrokerLost, ScorerLoop, Stopping
from scoring.settings import ScoringSettings

CLIENT_ID = "fraud-scorer"
# Every topic of the pipeline stamps records with the broker's clock (docs/architecture.md).
TOPIC_CONFIG = {"message.timestamp.type": "LogAppendTime"}


def load_champion(settings: ScoringSettings) -> Model:
    """The registry's champion; ModelError (one line) when there is none or it cannot be used."""
    return Registry(settings.registry_dir).champion()


def _ensure_topics(admin: KafkaAdminClient, settings: ScoringSettings) -> None:
    existing = set(admin.list_topics())
    missing = [
        NewTopic(name, 3, 1, topic_configs=TOPIC_CONFIG)
        for name in (settings.features_topic, settings.scores_topic, settings.drift_topic)
        if name not in existing
    ]
    # Created meanwhile by create_topics.sh or RisingWave's sink: fine.
    with suppress(TopicAlreadyExistsError):
        if missing:
            admin.create_topics(missing, wait_for_metadata=True)


def run(settings: ScoringSettings, model: Model, stopping: Stopping) -> ScorerLoop:
    """Score until a stop is requested; raises BrokerLost when Kafka is unreachable."""
    wait_ms = int(settings.broker_wait_s * 1000)
    common = {"bootstrap_servers": settings.kafka_bootstrap_servers.split(",")}
    with ExitStack() as stack:
        try:
            admin = KafkaAdminClient(**common, client_id=CLIENT_ID, bootstrap_timeout_ms=wait_ms)
            try:
                _ensure_topics(admin, settings)
            finally:
                admin.close()
            producer = KafkaProducer(
                **common,
                client_id=CLIENT_ID,
                acks="all",
                linger_ms=5,
                bootstrap_timeout_ms=wait_ms,
                delivery_timeout_ms=max(wait_ms, 31_000),
            )
            stack.callback(producer.close, 5)
            consumer = KafkaConsumer(
                **common,
                client_id=CLIENT_ID,
                group_id=settings.consumer_group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                session_timeout_ms=10_000,
                bootstrap_timeout_ms=wait_ms,
            )
        except KafkaError as error:
            raise BrokerLost(
                f"no Kafka broker reachable at {settings.kafka_bootstrap_servers}"
                f" within {settings.broker_wait_s:g} s ({type(error).__name__})"
            ) from error
        stack.callback(consumer.close, autocommit=False)
        loop = ScorerLoop(consumer, producer, model, settings, stopping)
        loop.run()
        return loop
