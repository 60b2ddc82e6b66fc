"""Publishing counters and Kafka timestamps (no broker needed)."""

from __future__ import annotations

from datetime import UTC, datetime

from producers.publishers.base import timestamp_ms
from producers.stats import PublishStats


def test_the_summary_gives_rates_per_topic_scenarios_and_failures() -> None:
    stats = PublishStats()
    for topic, count in (("transactions", 30), ("logins", 10), ("fraud_labels", 2)):
        for _ in range(count):
            stats.sent(topic)
    for _ in range(40):
        stats.acknowledged()
    stats.failed()

    line = stats.summary(10.0)

    assert "\n" not in line
    for part in (
        "interval=10.0s",
        "events/s=4.2",
        "transactions=3.0",
        "logins=1.0",
        "card_events=0.0",
        "fraud_labels=0.2",
        "scenarios_injected=2",
        "acknowledged=40",
        "delivery_failures=1",
    ):
        assert part in line
    assert stats.total_scenarios == 2


def test_each_summary_starts_a_new_interval_but_keeps_totals() -> None:
    stats = PublishStats()
    stats.sent("fraud_labels")
    stats.acknowledged()
    stats.summary(10.0)

    line = stats.summary(5.0)

    assert "events/s=0.0" in line
    assert "scenarios_injected=0 acknowledged=0 delivery_failures=0" in line
    assert line.endswith("total sent=1 acknowledged=1 failed=0")


def test_kafka_timestamps_are_whole_milliseconds_as_the_payload_states_them() -> None:
    # The payload writes 12:00:01.999 for this instant: truncated, never rounded up.
    moment = datetime(2026, 1, 5, 12, 0, 1, 999_999, tzinfo=UTC)

    assert timestamp_ms(moment) == 1_767_614_401_999
