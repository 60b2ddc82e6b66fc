"""Publication on a real Kafka broker: each decided transaction and its decision exactly once."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import orjson
import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.record import MemoryRecords

from common.kafka import TOPIC_CONFIGS
from tests.decisions.conftest import auth, transaction
from tests.support.replay import replay_end

pytestmark = [pytest.mark.integration, pytest.mark.slow]
READ_DEADLINE_S = 60.0


def _topics(bootstrap: str) -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8]
    names = (f"transactions.{suffix}", f"decisions.{suffix}")
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(name, 3, 1, topic_configs=TOPIC_CONFIGS) for name in names])
    finally:
        admin.close()
    return names


def _read(bootstrap: str, topic: str) -> list[tuple[str, dict]]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        partitions = [
            TopicPartition(topic, partition)
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        messages = []
        deadline = time.monotonic() + READ_DEADLINE_S
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            assert time.monotonic() < deadline, "could not read the topic back in time"
            for batch in consumer.poll(timeout_ms=1000).values():
                messages += [
                    (message.key.decode(), orjson.loads(message.value)) for message in batch
                ]
        return messages
    finally:
        consumer.close()


@pytest.fixture
def publishing(serve, kafka_broker):
    def start(**overrides: object):
        transactions, decisions = _topics(kafka_broker.bootstrap_servers)
        served = serve(
            publish=True,
            kafka_bootstrap_servers=kafka_broker.bootstrap_servers,
            transactions_topic=transactions,
            decisions_topic=decisions,
            publish_timeout_ms=10_000,
            **overrides,
        )
        return served, transactions, decisions

    return start


def test_two_identical_requests_make_one_decision_and_one_message(
    publishing, kafka_broker, customers
) -> None:
    body = transaction(customers[4], replay_end())
    bad = {**transaction(customers[5], replay_end()), "amount": "-1.00"}
    serving, transactions, decisions = publishing()
    with serving as served, httpx.Client(base_url=served.url, timeout=30) as client:
        with ThreadPoolExecutor(2) as pool:
            answers = list(
                pool.map(
                    lambda _: client.post("/v1/decisions", json=body, headers=auth("switch")),
                    range(2),
                )
            )
        retry = client.post("/v1/decisions", json=body, headers=auth("switch"))
        refused = client.post("/v1/decisions", json=bad, headers=auth("switch"))
    assert refused.status_code == 422
    assert {answer.content for answer in [*answers, retry]} == {answers[0].content}
    decision = answers[0].json()
    assert decision["published"] is True

    published = _read(kafka_broker.bootstrap_servers, transactions)
    assert [(key, message["event_id"]) for key, message in published] == [
        (body["account_id"], body["event_id"])
    ]
    # The transaction as the producer's schema has it: every field, nothing else.
    assert set(published[0][1]) == set(body)
    assert published[0][1]["amount"] == body["amount"]
    told = _read(kafka_broker.bootstrap_servers, decisions)
    assert len(told) == 1
    assert told[0][1]["event_id"] == body["event_id"]
    assert told[0][1]["outcome"] == decision["outcome"]
    assert told[0][1]["reason_codes"] == decision["reason_codes"]


def test_every_decision_is_published_exactly_once_by_an_idempotent_producer(
    publishing, kafka_broker, customers
) -> None:
    bodies = [transaction(customer, replay_end()) for customer in customers[10:40]]
    serving, transactions, decisions = publishing()
    with serving as served, httpx.Client(base_url=served.url, timeout=30) as client:

        def post(body: dict) -> httpx.Response:
            return client.post("/v1/decisions", json=body, headers=auth("switch"))

        with ThreadPoolExecutor(8) as pool:
            # Every request sent twice, the retries racing the first attempts.
            answers = list(pool.map(post, [*bodies, *bodies]))
    assert {answer.status_code for answer in answers} == {200}
    declined = {
        answer.json()["event_id"] for answer in answers if answer.json()["outcome"] == "decline"
    }

    published = _read(kafka_broker.bootstrap_servers, transactions)
    assert sorted(message["event_id"] for _, message in published) == sorted(
        body["event_id"] for body in bodies
    )
    for key, message in published:
        assert key == message["account_id"]
        expected = "declined" if message["event_id"] in declined else "approved"
        assert message["status"] == expected
    told = _read(kafka_broker.bootstrap_servers, decisions)
    assert sorted(message["event_id"] for _, message in told) == sorted(
        body["event_id"] for body in bodies
    )
    # Written by an idempotent producer: every stored batch carries a producer id and sequence.
    for topic in (transactions, decisions):
        segments = sorted(kafka_broker.data_dir.glob(f"{topic}-*/*.log"))
        assert segments
        for segment in segments:
            records = MemoryRecords(segment.read_bytes())
            while (batch := records.next_batch()) is not None:
                assert batch.producer_id >= 0 and batch.base_sequence >= 0
