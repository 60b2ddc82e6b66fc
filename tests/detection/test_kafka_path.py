"""The whole path through a real Kafka broker: producer -> broker -> consumer loader -> dbt."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from backtest.database import open_database
from backtest.kafka_source import consume_all
from backtest.load import Message, records_as_messages
from backtest.replay import history, load_and_build
from producers.models import TOPICS
from producers.publishers.kafka_python import KafkaPublisher
from producers.stats import PublishStats
from producers.topics import ensure_topics
from tests.support.kafka_broker import ExternalBroker, KafkaBroker
from tests.support.replay import replay_end, replay_settings
from tests.support.sql import rows

pytestmark = pytest.mark.integration
MINUTES = 10
CONSUME_TIMEOUT_S = 120.0
# The broker rejects timestamps too far ahead of its clock (log.message.timestamp.after.max.ms,
# 1 h by default since Kafka 4.0); completed instances run up to ~2 h past the history's end.
HISTORY_LAG = timedelta(hours=2)
SIGNALS = (
    "select signal_id, account_id, detected_at, event_count, reason from mv_signals order by 1"
)


def test_events_through_kafka_give_the_same_detections_as_a_direct_load(
    embedded_postgres: None, kafka_broker: KafkaBroker | ExternalBroker, tmp_path: Path
) -> None:
    settings = replay_settings(0.1).model_copy(
        update={"kafka_bootstrap_servers": kafka_broker.bootstrap_servers}
    )
    records = list(history(settings, end=replay_end() - HISTORY_LAG, minutes=MINUTES, events=None))
    suffix = f".detection-{uuid.uuid4().hex[:8]}"
    ensure_topics(settings, topic_suffix=suffix)
    stats = PublishStats()
    with KafkaPublisher(settings, stats, topic_suffix=suffix) as publisher:
        for record in records:
            publisher.publish(record)
    assert (stats.total_acknowledged, stats.total_failed) == (len(records), 0)

    consumed = [
        Message(message.topic.removesuffix(suffix), message.timestamp, message.value)
        for message in consume_all(
            kafka_broker.bootstrap_servers,
            [topic + suffix for topic in TOPICS],
            timeout_s=CONSUME_TIMEOUT_S,
        )
    ]
    span = timedelta(minutes=MINUTES)
    clock = replay_end()
    threshold = settings.structuring_threshold
    with (
        open_database(tmp_path / "kafka-pg") as via_kafka,
        open_database(tmp_path / "direct-pg") as direct,
    ):
        kafka_load, _, _, kafka_report = load_and_build(
            via_kafka,
            consumed,
            span=span,
            structuring_threshold=threshold,
            work_dir=tmp_path / "kafka",
            clock=clock,
        )
        _, _, _, direct_report = load_and_build(
            direct,
            records_as_messages(records),
            span=span,
            structuring_threshold=threshold,
            work_dir=tmp_path / "direct",
            clock=clock,
        )
        assert kafka_load.loaded == dict(Counter(record.topic for record in records))
        assert kafka_load.skipped == {}
        kafka_signals = rows(via_kafka, SIGNALS)
        assert kafka_signals
        assert kafka_signals == rows(direct, SIGNALS)
    assert kafka_report.scenarios == direct_report.scenarios
    assert all(row["recall"] == 1.0 for row in kafka_report.scenarios)
