"""The confluent-kafka client (KAFKA_CLIENT=confluent-kafka, the `load` extra): librdkafka in C.

Same guarantees as the kafka-python publisher; what differs is where outcomes arrive: librdkafka
queues delivery reports, and they run as callbacks on the publishing thread whenever it polls.
"""

from __future__ import annotations

import logging
import time

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from common.kafka import BrokerLost, connect_with_retry
from common.librdkafka import producer_config
from producers.models import Record
from producers.publishers.base import Publisher, timestamp_ms
from producers.settings import Settings
from producers.stats import PublishStats

log = logging.getLogger(__name__)
# While the local queue is full, wait this long for deliveries to make room.
_FULL_QUEUE_POLL_S = 0.05


def _describe(error: BaseException) -> str:
    """One line for a KafkaException: its KafkaError's name and text."""
    if isinstance(error, KafkaException) and error.args and isinstance(error.args[0], KafkaError):
        return _error_line(error.args[0])
    return f"{type(error).__name__}: {error}"


def _error_line(error: KafkaError) -> str:
    return f"{error.name()}: {error.str()}"


class ConfluentPublisher(Publisher):
    """A librdkafka producer with acks=all and idempotence; counts every delivery in `stats`."""

    def __init__(self, settings: Settings, stats: PublishStats, *, topic_suffix: str = "") -> None:
        self._settings = settings
        self._stats = stats
        self._suffix = topic_suffix
        self.last_failure = None
        broker = settings.broker
        self._wait_s = broker.wait_s
        self._flush_timeout_s = broker.ack_s
        self._on_delivery = self._delivered  # one bound method, not one per send
        producer = Producer(
            producer_config(
                settings.kafka_bootstrap_servers,
                "fraud-producer",
                **{
                    "request.timeout.ms": broker.request_ms,
                    # A lost broker is retried for BROKER_WAIT_SECONDS, then its records fail.
                    "delivery.timeout.ms": broker.delivery_ms,
                    "linger.ms": settings.linger_ms,
                    "batch.size": settings.batch_size_bytes,
                    "compression.type": settings.compression_type,
                    "error_cb": self._client_error,
                },
            )
        )
        self._producer: Producer = connect_with_retry(
            lambda timeout_ms: self._metadata(producer, timeout_ms),
            broker,
            retry_on=KafkaException,
            describe=_describe,
        )

    @staticmethod
    def _metadata(producer: Producer, timeout_ms: int) -> Producer:
        """The producer once a broker answered a metadata request (librdkafka connects lazily)."""
        producer.list_topics(timeout=timeout_ms / 1000)
        return producer

    def publish(self, record: Record) -> None:
        topic = record.topic + self._suffix
        key = record.key.encode()
        value = record.payload()
        timestamp = timestamp_ms(record.timestamp)
        deadline: float | None = None
        while True:
            try:
                self._producer.produce(
                    topic, value, key, on_delivery=self._on_delivery, timestamp=timestamp
                )
                break
            except BufferError:  # the local queue is full: let deliveries make room
                now = time.monotonic()
                deadline = deadline or now + self._wait_s
                if now >= deadline:
                    raise BrokerLost(
                        f"Kafka broker {self._settings.kafka_bootstrap_servers} took no records"
                        f" into {topic} for {self._wait_s:g}s (BROKER_WAIT_SECONDS):"
                        f" local queue full"
                    ) from None
                self._producer.poll(_FULL_QUEUE_POLL_S)
        self._stats.sent(record.topic)
        # Serves the delivery reports (and logs) that have arrived; never blocks (< 1 us).
        self._producer.poll(0)

    def flush(self) -> None:
        pending = self._producer.flush(self._flush_timeout_s)
        if pending:
            self.last_failure = f"flush did not complete: {pending} records still queued"
            log.warning("%s", self.last_failure)

    def close(self) -> None:
        pending = self._producer.flush(self._flush_timeout_s)
        if pending:
            # Purged records get a failed delivery report, served here: counted, never dropped.
            self._producer.purge()
            self._producer.poll(0)
            self.last_failure = f"records still pending at close: {pending} purged"
            log.warning("%s", self.last_failure)
        self._producer.close()

    def _delivered(self, error: KafkaError | None, message: Message) -> None:
        if error is None:
            self._stats.acknowledged()
            return
        self._stats.failed()
        topic = (message.topic() or "").removesuffix(self._suffix)
        key = (message.key() or b"").decode()
        self.last_failure = f"delivery to {topic} failed: {_error_line(error)}"
        log.warning("delivery failed: topic=%s key=%s: %s", topic, key, _error_line(error))

    def _client_error(self, error: KafkaError) -> None:
        # Broker outages are retried inside librdkafka and end as delivery failures if they last;
        # only a fatal error (the producer cannot go on) is a failure of its own.
        if error.fatal():
            self.last_failure = f"fatal client error: {_error_line(error)}"
            log.warning("%s", self.last_failure)
        else:
            log.debug("client error: %s", _error_line(error))
