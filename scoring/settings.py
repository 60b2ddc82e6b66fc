"""The scorer's settings: one model, read from the environment and `.env`.

Every field is `SCORING_<NAME>` except the broker list and the sizes of new topics, which the
whole pipeline shares (`KAFKA_BOOTSTRAP_SERVERS`, `TOPIC_PARTITIONS`, `TOPIC_REPLICATION_FACTOR`).
`.env.example` mirrors this model; a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from common.contract import CONTRACT
from common.settings import TopicSettings

if TYPE_CHECKING:
    from common.kafka import Broker

ENV_PREFIX = "SCORING_"
_TOPIC = r"^[A-Za-z0-9._-]{1,249}$"
# The scorer's producer batches this long; its delivery timeout must cover it.
PRODUCER_LINGER_MS = 5


class ScoringSettings(TopicSettings):
    """Every knob of the scorer. The environment variable is `SCORING_` + the field name."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX)

    registry_dir: Path = Field(
        Path("models"), description="Model registry folder; the scorer loads its champion."
    )
    features_topic: str = Field(
        CONTRACT.sink_topics["transaction_features"],
        pattern=_TOPIC,
        description="Topic of feature records (input).",
    )
    scores_topic: str = Field("ml_scores", pattern=_TOPIC, description="Topic of scores (output).")
    drift_topic: str = Field(
        "model_drift", pattern=_TOPIC, description="Topic of per-window drift reports (output)."
    )
    alert_topic: str = Field(
        CONTRACT.sink_topics["fraud_cases"],
        pattern=_TOPIC,
        description="Topic the alerter reads; a drifted window is published there as an alert.",
    )
    dead_letter_topic: str = Field(
        "transaction_features.dlq",
        pattern=_TOPIC,
        description="Topic of feature records the scorer cannot score, each with the reason.",
    )
    consumer_group: str = Field(
        "fraud-scorer", min_length=1, description="Kafka consumer group of the scorer."
    )
    batch_max_records: int = Field(
        500, ge=1, le=10000, description="Most feature records scored as one batch."
    )
    explain_min_score: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Scores at or above this carry their top feature and reasons.",
    )
    drift_window_minutes: float = Field(
        5.0, gt=0.0, description="Event-time minutes of one live drift window."
    )
    drift_min_records: int = Field(
        200, ge=20, description="Fewest records a window needs before drift is judged."
    )
    drift_psi_threshold: float = Field(
        0.25, gt=0.0, description="PSI of a feature above which the window has drifted."
    )
    drift_ks_threshold: float = Field(
        0.2, gt=0.0, le=1.0, description="KS statistic of a feature above which it drifted."
    )
    promotion_margin: float = Field(
        0.01, ge=0.0, le=1.0, description="PR-AUC a challenger must gain to be promoted."
    )
    broker_wait_s: float = Field(
        60.0, gt=0.0, description="How long to retry an unreachable broker before giving up."
    )
    log_interval_s: float = Field(10.0, gt=0.0, description="Seconds between summary log lines.")

    @property
    def broker(self) -> Broker:
        return replace(super().broker, linger_ms=PRODUCER_LINGER_MS)

    @model_validator(mode="after")
    def _distinct_topics(self) -> ScoringSettings:
        outputs = {self.scores_topic, self.drift_topic, self.alert_topic, self.dead_letter_topic}
        if self.features_topic in outputs:
            raise ValueError("SCORING_FEATURES_TOPIC: must differ from every output topic")
        return self
