"""`python -m scoring`: validate settings and the champion model (exit 2 with one line), then
score until SIGTERM/SIGINT (exit 0). A broker that stays unreachable: one line, exit 1."""

from __future__ import annotations

import logging

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

log = logging.getLogger("scoring")


def main(argv: list[str] | None = None) -> int:
    parser("python -m scoring", __doc__).parse_args(argv)
    # Imported after the arguments: --help and --version load no Kafka client, XGBoost or model.
    from pydantic import ValidationError

    from common.kafka import BrokerLost
    from scoring import app
    from scoring.model import ModelError
    from scoring.settings import ScoringSettings

    setup_logging()
    try:
        settings = ScoringSettings()
    except ValidationError as error:
        line = ScoringSettings.describe_error(error)
        return verdict(EXIT_INVALID, f"scoring: invalid setting: {line}")
    try:
        model = app.load_champion(settings)
    except ModelError as error:
        return verdict(EXIT_INVALID, f"scoring: unusable model: {error}")
    log.info("scoring with model %s from %s", model.version, settings.registry_dir)
    with stop_on_signals(StopFlag(), log, "finishing the batch in flight, then stopping") as stop:
        try:
            app.run(settings, model, stop, Heartbeat.from_env())
        except BrokerLost as error:
            return verdict(EXIT_FAILED, f"scoring: Kafka unavailable: {error}")
    return EXIT_OK
