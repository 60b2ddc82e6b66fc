"""`python -m alerter`: validate settings (exit 2), run until SIGTERM/SIGINT (exit 0).

A broker that stays unreachable ends the run with one plain line and exit 1.
"""

from __future__ import annotations

import logging
import sys

from common.cli import parser
from common.heartbeat import Heartbeat
from common.runtime import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    StopFlag,
    setup_logging,
    stop_on_signals,
    verdict,
)

log = logging.getLogger("alerter")


def main(argv: list[str] | None = None) -> int:
    parser("python -m alerter", __doc__).parse_args(argv)
    # Imported after the arguments: --help and --version load no Kafka client.
    from pydantic import ValidationError

    from alerter import app
    from alerter.settings import AlerterSettings
    from common.kafka import BrokerLost

    # Logs go to stderr: stdout carries the alerts themselves (one JSON line each).
    setup_logging()
    try:
        settings = AlerterSettings()
    except ValidationError as error:
        line = AlerterSettings.describe_error(error)
        return verdict(EXIT_INVALID, f"alerter: invalid setting: {line}")
    with stop_on_signals(StopFlag(), log, "finishing in-flight sends, then stopping") as stop:
        try:
            app.run(settings, stop, sys.stdout, Heartbeat.from_env())
        except BrokerLost as error:
            return verdict(EXIT_FAILED, f"alerter: Kafka unavailable: {error}")
        except app.ServiceFailed as error:
            return verdict(EXIT_FAILED, f"alerter: {error}")
    return EXIT_OK
