"""Which alerts were already handled, kept across restarts in a compacted Kafka topic.

A key is `<destination>|<case_id>:<severity>`: each destination gets each alert once. The topic is
read back in full at start; while running, keys are claimed in memory before an alert is queued
(so a repeat in the stream is dropped at once) and written to the topic once the alert is settled.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from datetime import datetime

from kafka import KafkaProducer

from alerter.kafka_io import send_all


def ledger_key(destination: str, alert_id: str) -> str:
    return f"{destination}|{alert_id}"


class Ledger:
    def __init__(
        self,
        producer: KafkaProducer,
        topic: str,
        known: Iterable[str],
        now: Callable[[], datetime],
        timeout_s: float,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._now = now
        self._timeout_s = timeout_s
        self._claimed = set(known)
        self._lock = threading.Lock()

    def claim(self, key: str, covered_by: Iterable[str] = ()) -> bool:
        """True the first time a key is seen (since the topic began), False for a repeat.

        Also False when one of `covered_by` was claimed: a case that already alerted at a higher
        severity does not alert again when its risk falls back.
        """
        with self._lock:
            if key in self._claimed or not self._claimed.isdisjoint(covered_by):
                return False
            self._claimed.add(key)
            return True

    def record(self, keys: Iterable[str], status: str) -> None:
        """Persist settled keys; raises BrokerLost when the broker stays unreachable."""
        at = self._now().isoformat(timespec="milliseconds")
        messages = [
            (key, json.dumps({"key": key, "status": status, "settled_at": at}).encode())
            for key in keys
        ]
        send_all(self._producer, self._topic, messages, self._timeout_s)
