"""Publish records to Kafka (or Redpanda): each send confirmed or counted lost.

`Publisher` is what the runner and the benches use; `open_publisher` picks the client that
KAFKA_CLIENT names: `KafkaPublisher` here (kafka-python, the default) or
`producers.confluent_publisher.ConfluentPublisher` (confluent-kafka, the `load` extra).
"""

from __future__ import annotations

import abc
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self, TypeVar

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError

from producers.models import TOPICS, Record
from producers.settings import Settings
from producers.stats import PublishStats

log = logging.getLogger(__name__)
# The clients' own loggers (librdkafka's lines are routed to the second): they log every
# reconnect attempt, while the publisher reports an outage in one line itself.
CLIENT_LOGGERS = ("kafka", "confluent_kafka")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Built once: constructing it per record was a visible share of a send's cost.
_ONE_MS = timedelta(milliseconds=1)
_MAX_ATTEMPT_S = 10.0
_FIRST_BACKOFF_S = 0.5
_MAX_BACKOFF_S = 5.0
_REQUEST_TIMEOUT_MS = 30_000
_FLUSH_MARGIN_S = 5.0

Client = TypeVar("Client")


class BrokerUnavailable(Exception):
    """The broker could not be reached (or was lost) for BROKER_WAIT_SECONDS; one-line message."""


def _one_line(error: BaseException) -> str:
    name = type(error).__name__
    lines = str(error).strip().splitlines()
    if not lines:
        return name
    # kafka-python's errors already start with their class name; others do not.
    return lines[0] if lines[0].startswith(name) else f"{name}: {lines[0]}"


def connect_with_retry(
    connect: Callable[[int], Client],
    settings: Settings,
    *,
    retry_on: type[Exception] = KafkaError,
    describe: Callable[[BaseException], str] = _one_line,
) -> Client:
    """`connect(bootstrap_timeout_ms)` until it succeeds, backing off, for BROKER_WAIT_SECONDS.

    `retry_on` is the client's error for a failed attempt; `describe` makes it one line.
    """
    deadline = time.monotonic() + settings.broker_wait_seconds
    backoff = _FIRST_BACKOFF_S
    while True:
        attempt_s = min(max(deadline - time.monotonic(), 0.1), _MAX_ATTEMPT_S)
        try:
            return connect(int(attempt_s * 1000))
        except retry_on as error:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrokerUnavailable(
                    f"Kafka broker {settings.kafka_bootstrap_servers} unreachable after"
                    f" {settings.broker_wait_seconds:g}s (BROKER_WAIT_SECONDS): {describe(error)}"
                ) from None
            log.warning("broker not reachable yet, retrying: %s", describe(error))
            time.sleep(min(backoff, remaining))
            backoff = min(backoff * 2, _MAX_BACKOFF_S)


def timestamp_ms(moment: datetime) -> int:
    """Epoch milliseconds, computed exactly (no float rounding)."""
    return (moment - _EPOCH) // _ONE_MS


class Timeouts:
    """The client timeouts BROKER_WAIT_SECONDS and LINGER_MS imply, the same for every client."""

    def __init__(self, settings: Settings) -> None:
        self.wait_ms = int(settings.broker_wait_seconds * 1000)
        self.request_ms = min(_REQUEST_TIMEOUT_MS, self.wait_ms)
        # A lost broker is retried for BROKER_WAIT_SECONDS, then its records fail.
        self.delivery_ms = max(self.wait_ms, settings.linger_ms + self.request_ms)
        # By then every record has been acknowledged or has failed (both clients' contract).
        self.flush_s = self.delivery_ms / 1000 + _FLUSH_MARGIN_S


class Publisher(abc.ABC):
    """Sends records with acks=all and idempotence; counts every outcome in `stats`.

    Each record sent is acknowledged or counted failed by the end of `flush` or `close`;
    `last_failure` then holds the latest failure as one line (None when there was none).
    `topic_suffix` is appended to every topic name, so tests can use topics of their own.
    """

    last_failure: str | None

    @abc.abstractmethod
    def publish(self, record: Record) -> None:
        """Queue one record; raise BrokerUnavailable when the client cannot even queue it."""

    @abc.abstractmethod
    def flush(self) -> None:
        """Wait for every queued record's outcome (at most the delivery timeout)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Flush and release the client; records still unresolved then are reported."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_publisher(settings: Settings, stats: PublishStats, *, topic_suffix: str = "") -> Publisher:
    """The publisher of the client KAFKA_CLIENT names, connected (or BrokerUnavailable)."""
    if settings.kafka_client == "confluent-kafka":
        # Imported only when chosen: confluent-kafka is an optional extra.
        from producers.confluent_publisher import ConfluentPublisher

        return ConfluentPublisher(settings, stats, topic_suffix=topic_suffix)
    return KafkaPublisher(settings, stats, topic_suffix=topic_suffix)


class KafkaPublisher(Publisher):
    """The kafka-python client (the default): a KafkaProducer, callbacks on its sender thread."""

    def __init__(self, settings: Settings, stats: PublishStats, *, topic_suffix: str = "") -> None:
        self._settings = settings
        self._stats = stats
        self._suffix = topic_suffix
        self.last_failure = None
        timeouts = Timeouts(settings)
        self._flush_timeout_s = timeouts.flush_s
        self._producer: KafkaProducer = connect_with_retry(
            lambda bootstrap_timeout_ms: KafkaProducer(
                bootstrap_servers=settings.kafka_bootstrap_servers.split(","),
                client_id="fraud-producer",
                bootstrap_timeout_ms=bootstrap_timeout_ms,
                acks="all",
                # Idempotence keeps retries from writing duplicates or reordering a key's events.
                enable_idempotence=True,
                retries=2**31 - 1,
                request_timeout_ms=timeouts.request_ms,
                delivery_timeout_ms=timeouts.delivery_ms,
                max_block_ms=timeouts.wait_ms,
                linger_ms=settings.linger_ms,
                batch_size=settings.batch_size_bytes,
                compression_type=None
                if settings.compression_type == "none"
                else settings.compression_type,
            ),
            settings,
        )
        # Every topic's metadata now, while the broker is known to answer: a first send to a
        # topic waits for its metadata, which in an outage would hold the generator for
        # BROKER_WAIT_SECONDS instead of queueing the record like any other.
        for topic in TOPICS:
            try:
                self._producer.partitions_for(topic + topic_suffix)
            except KafkaTimeoutError as error:
                raise BrokerUnavailable(
                    f"no metadata for {topic + topic_suffix} from Kafka broker"
                    f" {settings.kafka_bootstrap_servers} for {settings.broker_wait_seconds:g}s"
                    f" (BROKER_WAIT_SECONDS): {_one_line(error)}"
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
            raise BrokerUnavailable(
                f"no answer from Kafka broker {self._settings.kafka_bootstrap_servers} about"
                f" {record.topic + self._suffix} for {self._settings.broker_wait_seconds:g}s"
                f" (BROKER_WAIT_SECONDS): {_one_line(error)}"
            ) from None
        self._stats.sent(record.topic)
        future.add_callback(self._delivered).add_errback(self._lost, record.topic, record.key)

    def flush(self) -> None:
        try:
            self._producer.flush(timeout=self._flush_timeout_s)
        except KafkaTimeoutError as error:
            self.last_failure = f"flush did not complete: {_one_line(error)}"
            log.warning("%s", self.last_failure)

    def close(self) -> None:
        try:
            self._producer.close(timeout=self._flush_timeout_s)
        except KafkaTimeoutError as error:
            self.last_failure = f"records still pending at close: {_one_line(error)}"
            log.warning("%s", self.last_failure)

    def _delivered(self, _metadata: object) -> None:
        self._stats.acknowledged()

    def _lost(self, topic: str, key: str, error: BaseException) -> None:
        self._stats.failed()
        self.last_failure = f"delivery to {topic} failed: {_one_line(error)}"
        log.warning("delivery failed: topic=%s key=%s: %s", topic, key, _one_line(error))
