"""What every service process does the same way: logging, the stop flag and its signals, and
exit codes."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_OK = 0
EXIT_FAILED = 1  # Kafka lost for longer than the wait, or the run failed otherwise
EXIT_INVALID = 2  # invalid settings (or model): nothing was started

# The Kafka clients' loggers (librdkafka's lines are routed to the second): they log every
# reconnect attempt, while the services report outcomes in one line themselves.
CLIENT_LOGGERS = ("kafka", "confluent_kafka")


def setup_logging() -> None:
    """INFO lines on stderr (stdout may carry the service's own output).

    `force`: a dependency that configured logging first (a `basicConfig` at import) would
    otherwise keep its level and format, and could silence the summary lines.
    """
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(message)s",
        force=True,
    )
    for name in CLIENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def verdict(code: int, line: str) -> int:
    """Print the run's one-line verdict on stderr; return `code`, the exit code."""
    print(line, file=sys.stderr)
    return code


class StopFlag:
    """Set by a signal (clean stop) or by a failure (`fail`, which keeps the first reason)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self.failure: str | None = None

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self) -> None:
        self._event.set()

    def fail(self, reason: str) -> None:
        with self._lock:
            if self.failure is None:
                self.failure = reason
        self._event.set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True as soon as a stop is requested."""
        return self._event.wait(seconds)


@contextmanager
def stop_on_signals(stop: StopFlag, log: logging.Logger, then: str) -> Iterator[StopFlag]:
    """SIGTERM or SIGINT requests a clean stop (logged with `then`, what happens next); a second
    one kills at once, as users expect from a second Ctrl-C. The previous handlers come back
    afterwards. Only the main thread may enter."""

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received: %s", signal.Signals(signum).name, then)
        stop.request()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
