"""One destination: its queue, its token bucket, digests under pressure, retries, dead letters.

Each destination runs in its own thread so a slow or rate-limited one never holds up another.
Nothing is dropped: when the queue grows past its bound the held-back alerts leave as one digest.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from alerter.bucket import TokenBucket
from alerter.cases import FraudCase
from alerter.dead_letter import DeadLetters
from alerter.ledger import Ledger, ledger_key
from alerter.offsets import Settle
from alerter.retry import Outcome, RetryPolicy, Wait, send_with_retries
from alerter.stats import Stats
from alerter.transport import Attempt
from common.kafka import BrokerLost
from common.runtime import StopFlag

log = logging.getLogger(__name__)
_IDLE_CHECK_S = 0.5  # how often an idle worker looks at the stop flag


class Transport(Protocol):
    def send(self, body: bytes) -> Attempt: ...


Render = Callable[[Sequence[FraudCase]], bytes]


@dataclass(frozen=True)
class QueuedAlert:
    case: FraudCase
    settle: Settle  # marks the source offset's share for this destination as done


@dataclass(frozen=True)
class Batching:
    queue_bound: int  # more than this many held back -> send them as one digest
    digest_max_alerts: int


@dataclass(frozen=True)
class Sinks:
    """Where settled alerts are recorded and counted."""

    ledger: Ledger
    dead_letters: DeadLetters
    stats: Stats


class Destination:
    def __init__(
        self,
        name: str,
        render: Render,
        transport: Transport,
        bucket: TokenBucket | None,
        retry: RetryPolicy,
        batching: Batching,
        sinks: Sinks,
        shutdown: StopFlag,
        wait: Wait | None = None,
    ) -> None:
        self.name = name
        self._render = render
        self._transport = transport
        self._bucket = bucket
        self._retry = retry
        self._batching = batching
        self._sinks = sinks
        self._shutdown = shutdown
        self._wait = wait or shutdown.wait
        self._queue: deque[QueuedAlert] = deque()
        self._ready = threading.Condition()

    def put(self, alert: QueuedAlert) -> None:
        with self._ready:
            self._queue.append(alert)
            self._ready.notify()
        self._sinks.stats.bump("received", destination=self.name)

    def held(self) -> int:
        with self._ready:
            return len(self._queue)

    def wake(self) -> None:
        """Let an idle worker notice the stop flag now rather than at its next check."""
        with self._ready:
            self._ready.notify_all()

    def run(self) -> None:
        """Thread target: the worker loop; any failure stops the whole service, never silently."""
        try:
            self._work()
        except BrokerLost as error:
            self._shutdown.fail(f"Kafka unavailable: {self.name}: {error}")
        except Exception as error:
            log.exception("%s worker failed", self.name)
            self._shutdown.fail(f"{self.name} worker failed: {type(error).__name__}: {error}")

    def _work(self) -> None:
        """Until stopping, wait for alerts and a token, then send and settle."""
        while self._await_alerts() and self._acquire():
            batch = self._take_batch()
            cases = [alert.case for alert in batch]
            body = self._render(cases)
            outcome = send_with_retries(
                partial(self._transport.send, body), self._retry, self._acquire, self._wait
            )
            if outcome is None:  # stopping: left unsettled, so redelivered after a restart
                return
            self._settle(batch, outcome)

    def _await_alerts(self) -> bool:
        with self._ready:
            while not self._queue:
                if self._shutdown.requested:
                    return False
                self._ready.wait(_IDLE_CHECK_S)
        return not self._shutdown.requested

    def _acquire(self) -> bool:
        if self._bucket is None:
            return not self._shutdown.requested
        while (delay := self._bucket.take()) > 0:
            if self._wait(delay):
                return False
        return not self._shutdown.requested

    def _take_batch(self) -> list[QueuedAlert]:
        # Decided when the token is in hand, so everything that queued up meanwhile is included.
        with self._ready:
            count = 1
            if len(self._queue) > self._batching.queue_bound:
                count = min(len(self._queue), self._batching.digest_max_alerts)
            return [self._queue.popleft() for _ in range(count)]

    def _settle(self, batch: list[QueuedAlert], outcome: Outcome) -> None:
        cases = [alert.case for alert in batch]
        keys = [ledger_key(self.name, case.alert_id) for case in cases]
        stats = self._sinks.stats
        if outcome.attempt.delivered:
            self._sinks.ledger.record(keys, "delivered")
            if len(batch) == 1:
                stats.bump("sent", destination=self.name)
            else:
                stats.bump("digested", len(batch), destination=self.name)
                stats.bump("digests", destination=self.name)
        else:
            reason = outcome.attempt.reason
            log.warning("%s: %d alert(s) dead-lettered: %s", self.name, len(batch), reason)
            self._sinks.dead_letters.failed_alerts(self.name, cases, reason, outcome.attempts)
            self._sinks.ledger.record(keys, "dead_lettered")
            stats.bump("failed", len(batch), destination=self.name)
        for alert in batch:
            alert.settle()
