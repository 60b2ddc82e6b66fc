"""Kafka plumbing every service shares: the broker-lost error, client timeouts, connecting with
retries, topics on broker time sized by settings, and subscribing after a metadata fetch."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from kafka import ConsumerRebalanceListener, KafkaConsumer
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
from kafka.errors import KafkaError, TopicAlreadyExistsError, for_code

log = logging.getLogger(__name__)

# Every topic of the pipeline stamps records with the broker's clock, so `ingested_at` downstream
# is when the broker received them (scripts/create_topics.sh sets the same; a test checks).
TIMESTAMP_TYPE = "message.timestamp.type"
APPEND_TIME = "LogAppendTime"
TOPIC_CONFIGS = {TIMESTAMP_TYPE: APPEND_TIME}
_SETTING = f"{TIMESTAMP_TYPE}={APPEND_TIME}"

_REQUEST_TIMEOUT_MS = 30_000
_ACK_MARGIN_S = 5.0
_MAX_ATTEMPT_S = 10.0
_FIRST_BACKOFF_S = 0.5
_MAX_BACKOFF_S = 5.0

Client = TypeVar("Client")


class BrokerLost(Exception):
    """Kafka stayed unreachable past the configured wait: reported in one line, then exit 1."""


class TopicSetupError(Exception):
    """The broker refused to create or configure a topic; one-line message."""


@dataclass(frozen=True)
class Broker:
    """Where the brokers are, how long an unreachable one is retried, and the client timeouts
    that follow from it (the same for every client)."""

    servers: str  # host:port,host:port
    wait_s: float
    wait_setting: str  # the variable that sets wait_s, named in error lines
    linger_ms: int = 0  # the service's producer batching delay

    @property
    def bootstrap(self) -> list[str]:
        return self.servers.split(",")

    @property
    def wait_ms(self) -> int:
        return int(self.wait_s * 1000)

    @property
    def request_ms(self) -> int:
        return min(_REQUEST_TIMEOUT_MS, self.wait_ms)

    @property
    def delivery_ms(self) -> int:
        """A lost broker is retried for the wait, then the records sent to it fail."""
        return max(self.wait_ms, self.linger_ms + self.request_ms)

    @property
    def ack_s(self) -> float:
        """How long to wait for a send's outcome: by then the client has given its own verdict."""
        return self.delivery_ms / 1000 + _ACK_MARGIN_S

    def unreachable(self, error: BaseException) -> BrokerLost:
        """The error of a client that could not bootstrap within the wait."""
        return BrokerLost(
            f"no Kafka broker reachable at {self.servers} within {self.wait_s:g} s"
            f" ({type(error).__name__})"
        )


def one_line(error: BaseException) -> str:
    """A client error as one line, led by its class name."""
    name = type(error).__name__
    lines = str(error).strip().splitlines()
    if not lines:
        return name
    # kafka-python's errors already start with their class name; others do not.
    return lines[0] if lines[0].startswith(name) else f"{name}: {lines[0]}"


def connect_with_retry(
    connect: Callable[[int], Client],
    broker: Broker,
    *,
    retry_on: type[Exception] = KafkaError,
    describe: Callable[[BaseException], str] = one_line,
) -> Client:
    """`connect(bootstrap_timeout_ms)` until it succeeds, backing off, for the broker wait.

    `retry_on` is the client's error for a failed attempt; `describe` makes it one line.
    """
    deadline = time.monotonic() + broker.wait_s
    backoff = _FIRST_BACKOFF_S
    while True:
        attempt_s = min(max(deadline - time.monotonic(), 0.1), _MAX_ATTEMPT_S)
        try:
            return connect(int(attempt_s * 1000))
        except retry_on as error:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrokerLost(
                    f"Kafka broker {broker.servers} unreachable after {broker.wait_s:g}s"
                    f" ({broker.wait_setting}): {describe(error)}"
                ) from None
            log.warning("broker not reachable yet, retrying: %s", describe(error))
            time.sleep(min(backoff, remaining))
            backoff = min(backoff * 2, _MAX_BACKOFF_S)


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    replication_factor: int
    configs: Mapping[str, str] = field(default_factory=dict)


def ensure_topics(
    admin: KafkaAdminClient, topics: Sequence[Topic], timeout_s: float, *, sizes: str
) -> list[str]:
    """Create the missing topics on broker time (LogAppendTime); return the names created.

    An existing topic keeps its data and configs but is switched to broker time (an upgrade).
    Returns once every topic has partition leaders. `sizes` names the settings that sized the
    topics, for the error line of a refusal.
    """
    names = [topic.name for topic in topics]
    response = admin.create_topics(
        {
            topic.name: {
                "num_partitions": topic.partitions,
                "replication_factor": topic.replication_factor,
                "configs": {**topic.configs, **TOPIC_CONFIGS},
            }
            for topic in topics
        },
        raise_errors=False,
    )
    created: list[str] = []
    refused: list[str] = []
    for result in response["topics"]:
        code = result["error_code"]
        if code == 0:
            created.append(result["name"])
        elif code != TopicAlreadyExistsError.errno:  # another instance created it: fine
            reason = result["error_message"] or for_code(code).__name__
            refused.append(f"{result['name']}: {reason}")
    if refused:
        raise TopicSetupError(f"cannot create topics ({sizes}): {'; '.join(refused)}")
    stamp_with_append_time(admin, [name for name in names if name not in created], timeout_s)
    # A created topic has no partition leaders for a moment; sends before that would stall.
    try:
        admin.wait_for_topics(names, timeout_ms=int(timeout_s * 1000))
    except KafkaError as error:
        raise TopicSetupError(f"topics not ready: {error}") from None
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


def subscribe(
    consumer: KafkaConsumer,
    topics: Collection[str],
    listener: ConsumerRebalanceListener | None = None,
) -> None:
    """Subscribe, then fetch metadata before the first join.

    Joined without it, kafka-python 3.0 assigns from an empty snapshot and rejoins at once, after
    which it was seen to stop heartbeating and consume nothing (the alerter's and the scorer's
    tests check the single join).
    """
    consumer.subscribe(list(topics), listener=listener)
    consumer.topics()
