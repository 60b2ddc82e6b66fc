"""Wiring: Kafka clients, topics, the ledger read-back, destinations; then run the loop."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import TextIO

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError

from alerter import payloads
from alerter.bucket import TokenBucket
from alerter.cases import FraudCase, Policy
from alerter.dead_letter import DeadLetters
from alerter.destination import Batching, Destination, Render, Sinks, Transport
from alerter.kafka_io import read_keys
from alerter.ledger import Ledger
from alerter.retry import RetryPolicy
from alerter.service import AlerterLoop, LoopLimits
from alerter.settings import AlerterSettings
from alerter.stats import Stats
from alerter.transport import HttpTransport, StreamTransport
from common.heartbeat import Heartbeat
from common.kafka import BrokerLost, Topic, TopicSetupError, ensure_topics
from common.runtime import StopFlag

CLIENT_ID = "fraud-alerter"


class ServiceFailed(Exception):
    """The run ended on a failure (the reason is one line); the process exits 1."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def run(
    settings: AlerterSettings,
    shutdown: StopFlag,
    out: TextIO,
    heartbeat: Heartbeat | None = None,
) -> None:
    """Run until a stop is requested.

    Raises BrokerLost when Kafka is unreachable at start, ServiceFailed when the run ends on a
    failure (Kafka lost for longer than the wait, a worker failing).
    """
    broker = settings.broker
    wait_ms = broker.wait_ms
    common = {"bootstrap_servers": broker.bootstrap}
    with ExitStack() as stack:
        try:
            producer = KafkaProducer(
                **common,
                client_id=CLIENT_ID,
                acks="all",
                bootstrap_timeout_ms=wait_ms,
                request_timeout_ms=broker.request_ms,
                delivery_timeout_ms=broker.delivery_ms,
            )
            stack.callback(producer.close, 5)
            admin = KafkaAdminClient(**common, client_id=CLIENT_ID, bootstrap_timeout_ms=wait_ms)
            try:
                ensure_topics(
                    admin,
                    _own_topics(settings),
                    settings.broker_wait_s,
                    sizes=f"{settings.env_name('topic_replication_factor')}"
                    f"={settings.topic_replication_factor}",
                )
            except TopicSetupError as error:  # refused (e.g. no ALTER_CONFIGS right)
                raise BrokerLost(str(error)) from None
            finally:
                admin.close()
            reader = KafkaConsumer(**common, enable_auto_commit=False, bootstrap_timeout_ms=wait_ms)
            try:
                delivered = read_keys(reader, settings.delivered_topic, settings.broker_wait_s)
            finally:
                reader.close()
            consumer = KafkaConsumer(
                **common,
                client_id=CLIENT_ID,
                group_id=settings.consumer_group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",  # a new group alerts on cases already published
                # A crashed alerter's partitions wait this long for its restart to take them back.
                session_timeout_ms=10_000,
                # One poll can overshoot the back-pressure bound by at most this much.
                max_poll_records=min(500, settings.max_pending),
                bootstrap_timeout_ms=wait_ms,
            )
        except KafkaError as error:
            raise broker.unreachable(error) from error
        stack.callback(consumer.close, autocommit=False)
        ledger = Ledger(producer, settings.delivered_topic, delivered, _utc_now, broker.ack_s)
        dead_letters = DeadLetters(producer, settings.dlq_topic, _utc_now, broker.ack_s)
        loop = build_loop(
            settings, consumer, ledger, dead_letters, shutdown, out, heartbeat=heartbeat
        )
        loop.subscribe(settings.topic)
        loop.run()
        if shutdown.failure is not None:
            raise ServiceFailed(shutdown.failure)


def build_loop(
    settings: AlerterSettings,
    consumer: KafkaConsumer,
    ledger: Ledger,
    dead_letters: DeadLetters,
    shutdown: StopFlag,
    out: TextIO,
    clock: Callable[[], float] = time.monotonic,
    heartbeat: Heartbeat | None = None,
) -> AlerterLoop:
    """The loop and its destinations, with their clocks and sleeps injected."""
    stats = Stats()
    sinks = Sinks(ledger, dead_letters, stats)
    retry = RetryPolicy(
        settings.retry_max_attempts, settings.retry_backoff_base_s, settings.retry_backoff_max_s
    )
    batching = Batching(settings.queue_bound, settings.digest_max_alerts)

    def destination(
        name: str, render: Render, transport: Transport, bucket: TokenBucket | None
    ) -> Destination:
        return Destination(name, render, transport, bucket, retry, batching, sinks, shutdown)

    destinations: list[Destination] = []
    if settings.slack_enabled:
        transport = HttpTransport(
            settings.slack_webhook_url.get_secret_value(), settings.request_timeout_s, _utc_now
        )
        bucket = TokenBucket(settings.slack_rate_per_s, settings.slack_burst, clock)
        destinations.append(destination("slack", payloads.slack_body, transport, bucket))
    if settings.siem_enabled:
        authorization = settings.siem_authorization.get_secret_value()
        transport = HttpTransport(
            settings.siem_webhook_url.get_secret_value(),
            settings.request_timeout_s,
            _utc_now,
            {"Authorization": authorization} if authorization else None,
            signing_secret=settings.siem_signing_secret.get_secret_value().encode("utf-8"),
        )
        bucket = TokenBucket(settings.siem_rate_per_s, settings.siem_burst, clock)
        destinations.append(destination("siem", payloads.siem_body, transport, bucket))
    if settings.stdout:
        # stdout is local and cheap: no rate limit.
        destinations.append(
            destination("stdout", _encode(payloads.stdout_lines), StreamTransport(out), None)
        )
    return AlerterLoop(
        consumer,
        Policy(settings.min_severity, settings.categories),
        destinations,
        ledger,
        dead_letters,
        stats,
        shutdown,
        LoopLimits(settings.max_pending, settings.log_interval_s, settings.broker_wait_s),
        clock,
        heartbeat,
    )


def _encode(render: Callable[[Sequence[FraudCase]], str]) -> Render:
    return lambda cases: render(cases).encode()


def _own_topics(settings: AlerterSettings) -> list[Topic]:
    factor = settings.topic_replication_factor
    return [
        Topic(settings.dlq_topic, 1, factor),
        # Compaction keeps one record per alert key forever: the de-duplication memory.
        Topic(settings.delivered_topic, 1, factor, {"cleanup.policy": "compact"}),
    ]
