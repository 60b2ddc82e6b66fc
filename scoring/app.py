"""Wiring: the champion model (checked before any connection), Kafka clients, output topics;
then the loop."""

from __future__ import annotations

from contextlib import ExitStack

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError

from common.heartbeat import Heartbeat
from common.kafka import BrokerLost, Topic, TopicSetupError, ensure_topics
from common.runtime import StopFlag
from scoring.model import Model
from scoring.registry import Registry
from scoring.service import ScorerLoop
from scoring.settings import ScoringSettings

CLIENT_ID = "fraud-scorer"


def load_champion(settings: ScoringSettings) -> Model:
    """The registry's champion; ModelError (one line) when there is none or it cannot be used."""
    return Registry(settings.registry_dir).champion()


def own_topics(settings: ScoringSettings) -> list[Topic]:
    """The topics the scorer reads and writes, sized as every topic of the pipeline."""
    return [
        Topic(name, settings.topic_partitions, settings.topic_replication_factor)
        for name in (
            settings.features_topic,
            settings.scores_topic,
            settings.drift_topic,
            settings.dead_letter_topic,
        )
    ]


def run(
    settings: ScoringSettings,
    model: Model,
    stopping: StopFlag,
    heartbeat: Heartbeat | None = None,
) -> ScorerLoop:
    """Score until a stop is requested; raises BrokerLost when Kafka is unreachable."""
    broker = settings.broker
    common = {"bootstrap_servers": broker.bootstrap}
    with ExitStack() as stack:
        try:
            admin = KafkaAdminClient(
                **common, client_id=CLIENT_ID, bootstrap_timeout_ms=broker.wait_ms
            )
            try:
                # Created meanwhile by create_topics.sh or RisingWave's sink: fine.
                ensure_topics(
                    admin, own_topics(settings), broker.wait_s, sizes=settings.topic_sizes()
                )
            except TopicSetupError as error:
                raise BrokerLost(str(error)) from None
            finally:
                admin.close()
            producer = KafkaProducer(
                **common,
                client_id=CLIENT_ID,
                acks="all",
                linger_ms=broker.linger_ms,
                bootstrap_timeout_ms=broker.wait_ms,
                request_timeout_ms=broker.request_ms,
                delivery_timeout_ms=broker.delivery_ms,
            )
            stack.callback(producer.close, 5)
            consumer = KafkaConsumer(
                **common,
                client_id=CLIENT_ID,
                group_id=settings.consumer_group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                session_timeout_ms=10_000,
                bootstrap_timeout_ms=broker.wait_ms,
            )
        except KafkaError as error:
            raise broker.unreachable(error) from error
        stack.callback(consumer.close, autocommit=False)
        loop = ScorerLoop(consumer, producer, model, settings, stopping, heartbeat=heartbeat)
        loop.run()
        return loop
