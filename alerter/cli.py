"""`python -m alerter`: validate settings (exit 2), run until SIGTERM/SIGINT (exit 0).

A broker that stays unreachable ends the run with one plain line and exit 1.
"""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

from pydantic import ValidationError

from alerter import app
from alerter.kafka_io import BrokerLost
from alerter.settings import AlerterSettings, describe_error
from alerter.shutdown import ServiceFailed, Shutdown

EXIT_FAILED = 1  # Kafka lost for longer than the wait, or a worker failed
EXIT_INVALID_SETTINGS = 2

log = logging.getLogger("alerter")


def _install_signal_handlers(shutdown: Shutdown) -> None:
    def stop(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        log.info("%s received: finishing in-flight sends, then stopping", name)
        shutdown.request()
        # A second signal kills at once, as users expect from a second Ctrl-C.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def main() -> int:
    # Logs go to stderr: stdout carries the alerts themselves (one JSON line each).
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    # kafka-python logs every reconnect attempt as an error; the alerter reports outcomes itself.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    try:
        settings = AlerterSettings()
    except ValidationError as error:
        print(f"alerter: invalid setting: {describe_error(error)}", file=sys.stderr)
        return EXIT_INVALID_SETTINGS
    shutdown = Shutdown()
    _install_signal_handlers(shutdown)
    try:
        app.run(settings, shutdown, sys.stdout)
    except BrokerLost as error:
        print(f"alerter: Kafka unavailable: {error}", file=sys.stderr)
        return EXIT_FAILED
    except ServiceFailed as error:
        print(f"alerter: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0
