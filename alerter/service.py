"""The consume -> filter -> dispatch loop, and committing offsets only after delivery."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kafka import ConsumerRebalanceListener, KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from pydantic import ValidationError

from alerter.cases import FraudCase, Policy
from alerter.dead_letter import DeadLetters
from alerter.destination import Destination, QueuedAlert
from alerter.ledger import Ledger, ledger_key
from alerter.offsets import OffsetTracker
from alerter.stats import Stats
from common.heartbeat import Heartbeat
from common.kafka import BrokerLost, subscribe
from common.runtime import StopFlag

log = logging.getLogger(__name__)
_POLL_MS = 200


@dataclass(frozen=True)
class LoopLimits:
    max_pending: int  # alerts one destination may hold before consuming pauses
    log_interval_s: float
    broker_wait_s: float  # how long failing commits are retried before giving up


class _CommitOnRebalance(ConsumerRebalanceListener):
    """Commit what is settled before partitions move; afterwards drop those that moved away.

    Partitions kept across the rebalance keep their tracked offsets, so records fetched again
    are recognised and nothing in flight is committed past.
    """

    def __init__(self, loop: AlerterLoop) -> None:
        self._loop = loop

    def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        self._loop.commit_before_rebalance()

    def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        self._loop.retain(assigned)


class AlerterLoop:
    """Runs on the main thread; the destinations run on their own threads."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        policy: Policy,
        destinations: Sequence[Destination],
        ledger: Ledger,
        dead_letters: DeadLetters,
        stats: Stats,
        shutdown: StopFlag,
        limits: LoopLimits,
        clock: Callable[[], float] = time.monotonic,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.tracker = OffsetTracker()
        self._consumer = consumer
        self._policy = policy
        self._destinations = destinations
        self._ledger = ledger
        self._dead_letters = dead_letters
        self._stats = stats
        self._shutdown = shutdown
        self._limits = limits
        self._clock = clock
        self._heartbeat = heartbeat or Heartbeat(None)
        self._uncommitted: dict[TopicPartition, OffsetAndMetadata] = {}
        self._commit_failing_since: float | None = None

    def subscribe(self, topic: str) -> None:
        subscribe(self._consumer, [topic], _CommitOnRebalance(self))

    def run(self) -> None:
        """Consume until stopping; then let in-flight sends finish and commit what settled."""
        threads = [
            threading.Thread(target=destination.run, name=f"alerter-{destination.name}")
            for destination in self._destinations
        ]
        for thread in threads:
            thread.start()
        next_summary = self._clock() + self._limits.log_interval_s
        try:
            while not self._shutdown.requested:
                self._heartbeat.beat()
                self._apply_back_pressure()
                batches = self._consumer.poll(timeout_ms=_POLL_MS)
                for records in batches.values():
                    for record in records:
                        self._handle(record)
                self.commit()
                if self._clock() >= next_summary:
                    log.info(self.summary())
                    next_summary += self._limits.log_interval_s
        except BrokerLost as error:
            self._shutdown.fail(f"Kafka unavailable: {error}")
        finally:
            self._shutdown.request()
            for destination in self._destinations:
                destination.wake()
            for thread in threads:
                thread.join()
            if self._shutdown.failure is None:
                self.commit()
            log.info(self.summary())

    def summary(self) -> str:
        return self._stats.summary({dest.name: dest.held() for dest in self._destinations})

    def _handle(self, record: ConsumerRecord) -> None:
        partition = TopicPartition(record.topic, record.partition)
        if self.tracker.seen(partition, record.offset):
            return  # fetched again after a rebalance; its alerts are already queued
        try:
            case = FraudCase.model_validate_json(record.value or b"")
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "message"
            reason = f"{where}: {first['msg']}"
            self._dead_letters.invalid_message(
                record.topic, record.partition, record.offset, record.value, reason
            )
            self._stats.bump("invalid")
            self.tracker.add(partition, record.offset, 0)
            return
        self._stats.bump("consumed")
        if not self._policy.admits(case):
            self._stats.bump("filtered")
            self.tracker.add(partition, record.offset, 0)
            return
        targets = [
            destination
            for destination in self._destinations
            if self._ledger.claim(
                ledger_key(destination.name, case.alert_id),
                [ledger_key(destination.name, higher) for higher in case.higher_alert_ids],
            )
        ]
        if not targets:
            self._stats.bump("duplicates")
        settles = self.tracker.add(partition, record.offset, len(targets))
        for destination, settle in zip(targets, settles, strict=True):
            destination.put(QueuedAlert(case, settle))

    def _apply_back_pressure(self) -> None:
        # Pausing (rather than not polling) keeps the group membership alive.
        assigned = self._consumer.assignment()
        if any(dest.held() > self._limits.max_pending for dest in self._destinations):
            self._consumer.pause(*assigned)
        elif self._consumer.paused():
            self._consumer.resume(*self._consumer.paused())

    def commit_before_rebalance(self) -> None:
        """The revoke listener's commit. kafka-python runs listeners on its IO thread, where a
        blocking commit is refused, so the request goes out without a wait; the coordinator
        serves it before the JoinGroup sent after it on the same connection. The positions
        stay uncommitted here: the loop commits the kept partitions again after the poll (a
        repeat is harmless), and a position lost with its partition is re-read by the next
        owner, whose ledger keeps the alert from repeating."""
        self._uncommitted.update(self.tracker.committable())
        if self._uncommitted:
            self._consumer.commit_async(dict(self._uncommitted))

    def retain(self, assigned: Sequence[TopicPartition]) -> None:
        """After a rebalance: forget the partitions that moved away."""
        self.tracker.retain(assigned)
        for partition in set(self._uncommitted) - set(assigned):
            del self._uncommitted[partition]

    def commit(self) -> None:
        """Commit settled positions; a broker lost longer than the wait is fatal."""
        self._uncommitted.update(self.tracker.committable())
        if not self._uncommitted:
            return
        try:
            self._consumer.commit(dict(self._uncommitted))
        except KafkaError as error:
            now = self._clock()
            if self._commit_failing_since is None:
                self._commit_failing_since = now
                log.warning("offset commit failed, retrying: %s", type(error).__name__)
            elif now - self._commit_failing_since > self._limits.broker_wait_s:
                raise BrokerLost(
                    f"offset commits failed for {self._limits.broker_wait_s:g} s"
                ) from error
            return
        self._uncommitted.clear()
        self._commit_failing_since = None
