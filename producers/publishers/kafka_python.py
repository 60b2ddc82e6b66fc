"""The kafka-python client (KAFKA_CLIENT=kafka-python, the default): a KafkaProducer whose
outcomes arrive as callbacks on its sender thread."""

from __future__ import annotations

import logging

from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError

from common.kafka import BrokerLost, connect_with_retry, one_line
from producers.models import TOPICS, Record
from producers.publishers.base import Publisher, timestamp_ms
from producers.settings import Settings
from producers.stats import PublishStats

log = logging.getLogger(__name__)


class KafkaPublisher(Publisher):
    """The kafka-python client (the default): a KafkaProducer, callbacks on its sender thread."""

    def __init__(self, settings: Settings, stats: PublishStats, *, topic_suffix: str = "") -> None:
        self._settings = settings
        self._stats = stats
        self._suffix = topic_suffix
        self.last_failure = None
        broker = settings.broker
        self._flush_timeout_s = broker.ack_s
        self._producer: KafkaProducer = connect_with_retry(
            lambda bootstrap_timeout_ms: KafkaProducer(
                bootstrap_servers=broker.bootstrap,
                client_id="fraud-producer",
                bootstrap_timeout_ms=bootstrap_timeout_ms,
                acks="all",
                # Idempotence keeps retries from writing duplicates or reordering a key's events.
                enable_idempotence=True,
                retries=2**31 - 1,
                request_timeout_ms=broker.request_ms,
                delivery_timeout_ms=broker.delivery_ms,
                max_block_ms=broker.wait_ms,
                linger_ms=settings.linger_ms,
                batch_size=settings.batch_size_bytes,
                compression_type=None
                if settings.compression_type == "none"
                else settings.compression_type,
            ),
            broker,
        )
        # Every topic's metadata now, while the broker is known to answer: a first send to a
        # topic waits for its metadata, which in an outage would hold the generator for
        # BROKER_WAIT_SECONDS instead of queueing the record like any other.
        for topic in TOPICS:
            try:
                self._producer.partitions_for(topic + topic_suffix)
            except KafkaTimeoutError as error:
                raise BrokerLost(
                    f"no metadata for {topic + topic_suffix} from Kafka broker"
                    f" {settings.kafka_bootstrap_servers} for {settings.broker_wait_seconds:g}s"
                    f" (BROKER_WAIT_SECONDS): {one_line(error)}"
                ) from None

    def publish(self, record: Record) -> None:
        try:
            future = self._producer.send(
                record.topic + self._suffix,
                key=record.key.encode(),
                value=record.payload(),
                timestamp_ms=timestamp_ms(record.timestamp),
            )
        except KafkaTimeoutError as error:  # no metadata for max_block_ms: the broker is gone
            raise BrokerLost(
                f"no answer from Kafka broker {self._settings.kafka_bootstrap_servers} about"
                f" {record.topic + self._suffix} for {self._settings.broker_wait_seconds:g}s"
                f" (BROKER_WAIT_SECONDS): {one_line(error)}"
            ) from None
        self._stats.sent(record.topic)
        future.add_callback(self._delivered).add_errback(self._lost, record.topic, record.key)

    def flush(self) -> None:
        try:
            self._producer.flush(timeout=self._flush_timeout_s)
        except KafkaTimeoutError as error:
            self.last_failure = f"flush did not complete: {one_line(error)}"
            log.warning("%s", self.last_failure)

    def close(self) -> None:
        try:
            self._producer.close(timeout=self._flush_timeout_s)
        except KafkaTimeoutError as error:
            self.last_failure = f"records still pending at close: {one_line(error)}"
            log.warning("%s", self.last_failure)

    def _delivered(self, _metadata: object) -> None:
        self._stats.acknowledged()

    def _lost(self, topic: str, key: str, error: BaseException) -> None:
        self._stats.failed()
        self.last_failure = f"delivery to {topic} failed: {one_line(error)}"
        log.warning("delivery failed: topic=%s key=%s: %s", topic, key, one_line(error))
