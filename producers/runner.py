"""Run the producer against Kafka: pace records to the clock, publish, log, stop cleanly."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from common.heartbeat import Heartbeat
from common.kafka import BrokerLost, TopicSetupError
from common.runtime import EXIT_FAILED, EXIT_OK, StopFlag, stop_on_signals
from producers.models import Record
from producers.publishers.base import Publisher
from producers.publishers.factory import open_publisher
from producers.settings import Settings
from producers.stats import PublishStats
from producers.topics import ensure_topics

log = logging.getLogger(__name__)

# While waiting for a record's time, a stop signal is noticed within this long.
MAX_SLEEP_S = 0.25


class Clock(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


WALL_CLOCK = SystemClock()


def run_kafka(
    settings: Settings,
    records: Iterable[Record],
    clock: Clock = WALL_CLOCK,
    *,
    topic_suffix: str = "",
    heartbeat: Heartbeat | None = None,
) -> int:
    """Publish `records` as the clock reaches each one's timestamp; the process exit code.

    0 when the records ran out or a stop signal came, and everything sent was acknowledged;
    1 (after one plain line on stderr) when the broker is unreachable or a delivery failed.
    Must run on the main thread (it installs signal handlers).
    """
    stats = PublishStats()
    try:
        ensure_topics(settings, topic_suffix=topic_suffix)
        publisher = open_publisher(settings, stats, topic_suffix=topic_suffix)
    except (BrokerLost, TopicSetupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    started = last_log = clock.now()
    with publisher, stop_on_signals(StopFlag(), log, "stopping after a flush") as stop:
        try:
            last_log = _publish_paced(
                settings, records, clock, publisher, stats, stop, last_log, heartbeat
            )
        except BrokerLost as error:
            publisher.last_failure = str(error)
        publisher.flush()
        now = clock.now()
        log.info("%s", stats.summary((now - last_log).total_seconds()))
    log.info(
        "finished after %.1fs: sent=%d acknowledged=%d failed=%d scenarios_injected=%d",
        (now - started).total_seconds(),
        stats.total_sent,
        stats.total_acknowledged,
        stats.total_failed,
        stats.total_scenarios,
    )
    if publisher.last_failure is not None:
        print(
            f"error: {publisher.last_failure} ({stats.total_sent - stats.total_acknowledged}"
            f" of {stats.total_sent} events not acknowledged)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def _publish_paced(
    settings: Settings,
    records: Iterable[Record],
    clock: Clock,
    publisher: Publisher,
    stats: PublishStats,
    stop: StopFlag,
    last_log: datetime,
    heartbeat: Heartbeat | None,
) -> datetime:
    """Send each record once the clock reaches its timestamp; returns when the last log was."""
    interval = timedelta(seconds=settings.log_interval_seconds)
    beat = (heartbeat or Heartbeat(None)).beat
    for record in records:
        while not stop.requested:
            beat()
            now = clock.now()
            if now - last_log >= interval:
                log.info("%s", stats.summary((now - last_log).total_seconds()))
                last_log = now
            wait_s = (record.timestamp - now).total_seconds()
            if wait_s <= 0:
                break
            clock.sleep(min(wait_s, MAX_SLEEP_S))
        if stop.requested or publisher.last_failure is not None:
            return last_log
        publisher.publish(record)
    return last_log
