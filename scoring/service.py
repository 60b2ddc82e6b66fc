"""The consume -> score -> publish loop. Offsets are committed only after every score of the
batch is acknowledged by the broker: a crash repeats at most one batch (RisingWave keeps the
first score of each event), a clean stop repeats nothing. A record the scorer cannot score (not
JSON, no event id, a feature missing or of the wrong type) goes to the dead-letter topic with
the reason, acknowledged like the scores, and the loop goes on: one bad record never stops it."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
from kafka import KafkaConsumer, KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from common.heartbeat import Heartbeat
from common.kafka import BrokerLost, subscribe
from common.runtime import StopFlag
from scoring.alerts import drift_alert
from scoring.drift import DriftMonitor, DriftReport
from scoring.features import FeatureError, vectorize
from scoring.model import Model
from scoring.score import score_matrix
from scoring.settings import ScoringSettings
from scoring.stats import Stats

log = logging.getLogger(__name__)
_POLL_MS = 200


def decode(value: bytes | None) -> dict[str, Any] | None:
    """A feature record, or None when the message is not a JSON object."""
    try:
        record = orjson.loads(value or b"")
    except orjson.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def event_epoch(value: object) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    text = str(value).replace(" ", "T", 1)
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class ScorerLoop:
    def __init__(
        self,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        model: Model,
        settings: ScoringSettings,
        stopping: StopFlag,
        clock: Callable[[], float] = time.monotonic,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self._consumer = consumer
        self._producer = producer
        self._model = model
        self._settings = settings
        self._stopping = stopping
        self._clock = clock
        self._heartbeat = heartbeat or Heartbeat(None)
        self.stats = Stats()
        self._ack_timeout_s = settings.broker.ack_s
        self._newest: dict[TopicPartition, float] = {}
        self._drift = DriftMonitor(
            model.reference,
            model.version,
            settings.drift_window_minutes * 60,
            settings.drift_min_records,
            settings.drift_psi_threshold,
            settings.drift_ks_threshold,
        )

    def run(self) -> None:
        subscribe(self._consumer, [self._settings.features_topic])
        next_summary = self._clock() + self._settings.log_interval_s
        while not self._stopping.requested:
            self._heartbeat.beat()
            batches = self._consumer.poll(
                timeout_ms=_POLL_MS, max_records=self._settings.batch_max_records
            )
            if batches:
                self.handle(batches)
            if self._clock() >= next_summary:
                log.info(self.stats.summary(self._model.version))
                next_summary += self._settings.log_interval_s
        log.info(self.stats.summary(self._model.version))

    def handle(self, batches: dict[TopicPartition, Sequence[ConsumerRecord]]) -> None:
        """Score one poll's records, publish them, wait for the acks, then commit."""
        records: list[dict[str, Any]] = []
        sources: list[tuple[TopicPartition, ConsumerRecord]] = []
        dead: list[tuple[TopicPartition, ConsumerRecord, str]] = []
        positions: dict[TopicPartition, OffsetAndMetadata] = {}
        for partition, messages in batches.items():
            for message in messages:
                self.stats.consumed += 1
                record = decode(message.value)
                if record is None:
                    self.stats.invalid += 1
                    dead.append((partition, message, "not a JSON object"))
                    continue
                records.append(record)
                sources.append((partition, message))
            positions[partition] = OffsetAndMetadata(messages[-1].offset + 1, "", -1)
        scorable, times = [], []
        for record, (partition, message), reason in self._sort_out(records, sources):
            if reason is not None:
                self.stats.unscorable += 1
                dead.append((partition, message, reason))
                continue
            scorable.append(record)
            times.append(self._note_time(partition, record))
        self.score_batch(scorable, times, [self._dead_letter(*item) for item in dead])
        try:
            self._consumer.commit(positions)
        except KafkaError as error:
            raise BrokerLost(f"offset commit failed: {type(error).__name__}") from error

    @staticmethod
    def _sort_out(
        records: list[dict[str, Any]], sources: list[tuple[TopicPartition, ConsumerRecord]]
    ) -> list[tuple[dict[str, Any], tuple[TopicPartition, ConsumerRecord], str | None]]:
        """Each record with why it cannot be scored (None: it can). The batch is checked at
        once; only a batch that fails is checked record by record."""
        try:
            vectorize(records)
            failed = False
        except FeatureError:
            failed = True
        sorted_out = []
        for record, source in zip(records, sources, strict=True):
            reason = None if record.get("event_id") else "event_id missing"
            if reason is None and failed:
                try:
                    vectorize([record])
                except FeatureError as error:
                    reason = str(error)
            sorted_out.append((record, source, reason))
        return sorted_out

    def _dead_letter(
        self, partition: TopicPartition, message: ConsumerRecord, reason: str
    ) -> tuple[str, str, dict[str, Any]]:
        where = f"{partition.topic}:{partition.partition}:{message.offset}"
        log.warning("dead-lettered %s: %s", where, reason)
        body = {
            "reason": reason,
            "topic": partition.topic,
            "partition": partition.partition,
            "offset": message.offset,
            "value": (message.value or b"").decode("utf-8", errors="replace"),
            "failed_at": datetime.now(UTC).isoformat(),
        }
        key = where
        return self._settings.dead_letter_topic, key, body

    def _note_time(self, partition: TopicPartition, record: dict[str, Any]) -> float:
        """The record's event time (NaN when unreadable: scored, but no drift row)."""
        try:
            moment = event_epoch(record.get("event_time"))
        except ValueError:
            return math.nan
        self._newest[partition] = max(self._newest.get(partition, moment), moment)
        return moment

    def watermark(self) -> float:
        """The event time every assigned partition with data still to deliver has reached.

        Partitions arrive interleaved (a backlog one partition at a time), so a window is
        complete only when the slowest of them has passed it; a caught-up partition holds
        nothing back.
        """
        pending = []
        for partition in self._consumer.assignment():
            high = self._consumer.highwater(partition)
            if high is not None and self._consumer.position(partition) >= high:
                continue
            if partition not in self._newest:
                return -math.inf
            pending.append(self._newest[partition])
        if pending:
            return min(pending)
        return max(self._newest.values(), default=-math.inf)

    def score_batch(
        self,
        records: list[dict[str, Any]],
        times: list[float],
        dead_letters: list[tuple[str, str, dict[str, Any]]] | None = None,
    ) -> None:
        """Score, watch drift, publish (with the batch's dead letters), and wait until the
        broker acknowledged every message."""
        matrix = vectorize(records)
        scores = score_matrix(
            self._model, records, matrix, explain_min=self._settings.explain_min_score
        )
        scored_at = datetime.now(UTC).isoformat()
        sends = [
            (self._settings.scores_topic, score.event_id, score.as_message(scored_at))
            for score in scores
        ]
        self._drift.add_batch(np.array(times, dtype=np.float64), matrix)
        for report in self._drift.advance(self.watermark()):
            sends += self._report(report)
        sends += dead_letters or []
        self._publish(sends)
        self.stats.scored += len(scores)
        self.stats.batches += 1

    def _report(self, report: DriftReport) -> list[tuple[str, str, dict[str, Any]]]:
        self.stats.drift_windows += 1
        key = f"{report.model_version}:{int(report.window_start)}"
        messages = [(self._settings.drift_topic, key, report.as_message())]
        if report.drifted:
            self.stats.drifted_windows += 1
            names = ", ".join(item.feature for item in report.drifted)
            log.warning("drift in window %s: %s", report.as_message()["window_start"], names)
            alert = drift_alert(report)
            messages.append((self._settings.alert_topic, alert["case_id"], alert))
        return messages

    def _publish(self, sends: list[tuple[str, str, dict[str, Any]]]) -> None:
        try:
            futures = [
                self._producer.send(topic, key=key.encode(), value=orjson.dumps(body, default=str))
                for topic, key, body in sends
            ]
            for future in futures:
                future.get(timeout=self._ack_timeout_s)
        except KafkaError as error:
            raise BrokerLost(f"could not publish scores: {type(error).__name__}") from error
