"""The dead-letter topic: alerts that failed for good, and messages that are not valid cases."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from kafka import KafkaProducer

from alerter.cases import FraudCase
from alerter.kafka_io import send_all
from alerter.payloads import siem_event


class DeadLetters:
    def __init__(
        self,
        producer: KafkaProducer,
        topic: str,
        now: Callable[[], datetime],
        timeout_s: float,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._now = now
        self._timeout_s = timeout_s

    def failed_alerts(
        self, destination: str, cases: Sequence[FraudCase], reason: str, attempts: int
    ) -> None:
        """One message per alert (keyed by case id), so each can be replayed on its own."""
        messages = [
            (
                case.case_id,
                self._entry(
                    kind="delivery_failed",
                    reason=reason,
                    destination=destination,
                    attempts=attempts,
                    alert=siem_event(case),
                ),
            )
            for case in cases
        ]
        send_all(self._producer, self._topic, messages, self._timeout_s)

    def invalid_message(
        self, topic: str, partition: int, offset: int, value: bytes | None, reason: str
    ) -> None:
        raw = None if value is None else value.decode(errors="replace")
        entry = self._entry(
            kind="invalid_case",
            reason=reason,
            source_topic=topic,
            source_partition=partition,
            source_offset=offset,
            raw_value=raw,
        )
        send_all(
            self._producer, self._topic, [(f"{topic}/{partition}/{offset}", entry)], self._timeout_s
        )

    def _entry(self, **fields: Any) -> bytes:
        at = self._now().isoformat(timespec="milliseconds")
        return json.dumps({**fields, "dead_lettered_at": at}).encode()
