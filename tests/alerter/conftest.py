"""Fixtures of the alerter tests: a webhook receiver, per-test topics, an in-process alerter."""

from __future__ import annotations

import io
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from alerter import app
from alerter.settings import ENV_PREFIX, AlerterSettings
from common.kafka import TOPIC_CONFIGS
from common.runtime import StopFlag
from tests.alerter.webhook import SIGNING_SECRET, WebhookServer

CASE_PARTITIONS = 3


@pytest.fixture(autouse=True)
def _no_alerter_settings_from_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings in the caller's environment must not change what a test runs."""
    for name in [name for name in os.environ if name.startswith(ENV_PREFIX)]:
        monkeypatch.delenv(name)


@pytest.fixture
def webhooks() -> Iterator[WebhookServer]:
    with WebhookServer(SIGNING_SECRET.encode()) as server:
        yield server


@dataclass(frozen=True)
class Topics:
    """Topic and group names of one test: the session's broker is shared by every test."""

    bootstrap_servers: str
    cases: str
    dlq: str
    delivered: str
    group: str

    def settings(self, **overrides: Any) -> AlerterSettings:
        values = {
            "kafka_bootstrap_servers": self.bootstrap_servers,
            "topic": self.cases,
            "dlq_topic": self.dlq,
            "delivered_topic": self.delivered,
            "consumer_group": self.group,
            "broker_wait_s": 30.0,
            "log_interval_s": 1.0,
            "siem_signing_secret": SIGNING_SECRET,
        }
        return AlerterSettings(_env_file=None, **{**values, **overrides})

    def env(self, **overrides: str) -> dict[str, str]:
        """The same settings as environment variables, for `python -m alerter`."""
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "ALERTER_TOPIC": self.cases,
            "ALERTER_DLQ_TOPIC": self.dlq,
            "ALERTER_DELIVERED_TOPIC": self.delivered,
            "ALERTER_CONSUMER_GROUP": self.group,
            "ALERTER_BROKER_WAIT_S": "30",
            "ALERTER_LOG_INTERVAL_S": "1",
            "ALERTER_SIEM_SIGNING_SECRET": SIGNING_SECRET,
            **{ENV_PREFIX + name.upper(): value for name, value in overrides.items()},
        }

    def publish(self, messages: list[bytes]) -> None:
        """Publish case changes keyed by account, as the sink does, and wait for the acks."""
        producer = KafkaProducer(bootstrap_servers=self.bootstrap_servers, acks="all")
        try:
            for message in messages:
                key = json.loads(message).get("account_id", "no-account").encode()
                producer.send(self.cases, key=key, value=message)
            producer.flush(30)
        finally:
            producer.close(5)

    def read(self, topic: str) -> list[tuple[str | None, dict[str, Any]]]:
        """Every (key, JSON value) of a topic, from the beginning to its current end."""
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap_servers)
        try:
            partitions = [
                TopicPartition(topic, partition)
                for partition in sorted(consumer.partitions_for_topic(topic) or ())
            ]
            if not partitions:
                return []  # the topic is not there (yet): nothing to read
            consumer.assign(partitions)
            consumer.seek_to_beginning(*partitions)
            ends = consumer.end_offsets(partitions)
            found: list[tuple[str | None, dict[str, Any]]] = []
            while any(consumer.position(partition) < ends[partition] for partition in partitions):
                for records in consumer.poll(timeout_ms=1000).values():
                    found.extend(
                        (record.key.decode() if record.key else None, json.loads(record.value))
                        for record in records
                    )
            return found
        finally:
            consumer.close()

    def committed_lag(self) -> int:
        """Messages of the case topic the group has not committed past."""
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap_servers)
        try:
            committed = admin.list_group_offsets(self.group).get(self.group, {})
            partitions = [TopicPartition(self.cases, p) for p in range(CASE_PARTITIONS)]
            ends = consumer.end_offsets(partitions)
            return sum(
                ends[partition] - (committed[partition].offset if partition in committed else 0)
                for partition in partitions
            )
        finally:
            admin.close()
            consumer.close()


@pytest.fixture
def topics(kafka_broker: Any) -> Topics:
    suffix = uuid.uuid4().hex[:10]
    names = Topics(
        bootstrap_servers=kafka_broker.bootstrap_servers,
        cases=f"fraud_cases-{suffix}",
        dlq=f"fraud_cases.dlq-{suffix}",
        delivered=f"fraud_cases.delivered-{suffix}",
        group=f"fraud-alerter-{suffix}",
    )
    admin = KafkaAdminClient(bootstrap_servers=names.bootstrap_servers)
    try:
        # As scripts/create_topics.sh creates it on the stack.
        case_topic = NewTopic(names.cases, CASE_PARTITIONS, 1, topic_configs=TOPIC_CONFIGS)
        admin.create_topics([case_topic], wait_for_metadata=True)
    finally:
        admin.close()
    return names


class InProcessAlerter:
    """`app.run` on a thread; `stop()` is what SIGTERM does in the real process."""

    def __init__(self, settings: AlerterSettings) -> None:
        self.out = io.StringIO()
        self._shutdown = StopFlag()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(settings,), daemon=True)

    def _run(self, settings: AlerterSettings) -> None:
        try:
            app.run(settings, self._shutdown, self.out)
        except BaseException as error:  # handed to the test thread by stop()
            self.error = error

    def start(self) -> InProcessAlerter:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._shutdown.request()
        self._thread.join(60)
        assert not self._thread.is_alive(), "alerter did not stop within 60 s"
        error, self.error = self.error, None
        if error is not None:
            raise error

    def stdout_ids(self) -> list[str]:
        return [json.loads(line)["alert_id"] for line in self.out.getvalue().splitlines()]


@pytest.fixture
def run_alerter() -> Iterator[Callable[[AlerterSettings], InProcessAlerter]]:
    started: list[InProcessAlerter] = []

    def start(settings: AlerterSettings) -> InProcessAlerter:
        started.append(InProcessAlerter(settings).start())
        return started[-1]

    yield start
    for alerter in started:
        alerter.stop()


def wait_until(condition: Callable[[], bool], what: str, limit_s: float = 60.0) -> None:
    """Poll `condition`; the limit only bounds a hung test, it is not what the test asserts."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {limit_s:g} s waiting for {what}")
        time.sleep(0.05)
