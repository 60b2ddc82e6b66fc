"""`python -m scoring`: validate settings and the champion model (exit 2 with one line), then
score until SIGTERM/SIGINT (exit 0). A broker that stays unreachable: one line, exit 1."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

from pydantic import ValidationError

from scoring import app
from scoring.model import ModelError
from scoring.service import BrokerLost, Stopping
from scoring.settings import ScoringSettings, describe_error

EXIT_FAILED = 1
EXIT_INVALID = 2

log = logging.getLogger("scoring")


def _install_signal_handlers(stopping: Stopping) -> None:
    def stop(signum: int, frame: FrameType | None) -> None:
        log.info(
            "%s received: finishing the batch in flight, then stopping", signal.Signals(signum).name
        )
        stopping.request()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    try:
        settings = ScoringSettings()
    except ValidationError as error:
        print(f"scoring: invalid setting: {describe_error(error)}", file=sys.stderr)
        return EXIT_INVALID
    try:
        model = app.load_champion(settings)
    except ModelError as error:
        print(f"scoring: unusable model: {error}", file=sys.stderr)
        return EXIT_INVALID
    stopping = Stopping()
    _install_signal_handlers(stopping)
    log.info("scoring with model %s from %s", model.version, settings.registry_dir)
    try:
        app.run(settings, model, stopping)
    except BrokerLost as error:
        print(f"scoring: Kafka unavailable: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0
