"""Publishing counters, summarised as one log line per interval."""

from __future__ import annotations

import threading
from collections import Counter

from producers.models import TOPICS, FraudLabel


class PublishStats:
    """What was sent, acknowledged and lost: per interval and in total.

    `sent` runs on the publishing thread while kafka-python reports acknowledgements and failures
    from its sender thread, hence the lock (confluent-kafka reports on the publishing thread).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._interval_sent: Counter[str] = Counter()
        self._interval_acknowledged = 0
        self._interval_failed = 0
        self.total_sent = 0
        self.total_acknowledged = 0
        self.total_failed = 0
        self.total_scenarios = 0

    def sent(self, topic: str) -> None:
        with self._lock:
            self._interval_sent[topic] += 1
            self.total_sent += 1
            # A label is emitted once per completed scenario instance: it counts injections.
            if topic == FraudLabel.topic:
                self.total_scenarios += 1

    def acknowledged(self) -> None:
        with self._lock:
            self._interval_acknowledged += 1
            self.total_acknowledged += 1

    def failed(self) -> None:
        with self._lock:
            self._interval_failed += 1
            self.total_failed += 1

    def summary(self, elapsed_s: float) -> str:
        """The line for the interval that just ended (`elapsed_s` long); starts the next one."""
        with self._lock:
            sent = self._interval_sent
            acknowledged, failed = self._interval_acknowledged, self._interval_failed
            self._interval_sent = Counter()
            self._interval_acknowledged = self._interval_failed = 0
            totals = (self.total_sent, self.total_acknowledged, self.total_failed)

        def rate(count: int) -> float:
            return count / elapsed_s if elapsed_s > 0 else 0.0

        per_topic = " ".join(f"{topic}={rate(sent[topic]):.1f}" for topic in TOPICS)
        return (
            f"interval={elapsed_s:.1f}s events/s={rate(sent.total()):.1f} [{per_topic}]"
            f" scenarios_injected={sent[FraudLabel.topic]} acknowledged={acknowledged}"
            f" delivery_failures={failed}"
            f" | total sent={totals[0]} acknowledged={totals[1]} failed={totals[2]}"
        )
