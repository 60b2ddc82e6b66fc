"""The scorer's settings: one model, read from the environment and `.env`.

Every field is `SCORING_<NAME>` except the broker list, which the whole pipeline shares as
`KAFKA_BOOTSTRAP_SERVERS`. `.env.example` mirrors this model; a test keeps the two equal.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from producers.settings import BootstrapServers

ENV_PREFIX = "SCORING_"
_TOPIC = r"^[A-Za-z0-9._-]{1,249}$"


class ScoringSettings(BaseSettings):
    """Every knob of the scorer. The environment variable is `SCORING_` + the field name."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    kafka_bootstrap_servers: BootstrapServers = Field(
        "localhost:19092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
        description="Comma-separated host:port list of Kafka/Redpanda brokers (shared setting).",
    )
    registry_dir: Path = Field(
        Path("models"), description="Model registry folder; the scorer loads its champion."
    )
    features_topic: str = Field(
        "transaction_features", pattern=_TOPIC, description="Topic of feature records (input)."
    )
    scores_topic: str = Field("ml_scores", pattern=_TOPIC, description="Topic of scores (output).")
    drift_topic: str = Field(
        "model_drift", pattern=_TOPIC, description="Topic of per-window drift reports (output)."
    )
    alert_topic: str = Field(
        "fraud_cases",
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
        0.5, ge=0.0, le=1.0, description="Scores at or above this carry their top feature."
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

    @model_validator(mode="after")
    def _distinct_topics(self) -> ScoringSettings:
        outputs = {self.scores_topic, self.drift_topic, self.alert_topic, self.dead_letter_topic}
        if self.features_topic in outputs:
            raise ValueError("SCORING_FEATURES_TOPIC: must differ from every output topic")
        return self


def env_name(field: str) -> str:
    """The environment variable that sets `field`."""
    if field == "kafka_bootstrap_servers":
        return "KAFKA_BOOTSTRAP_SERVERS"
    return ENV_PREFIX + field.upper()


def describe_error(error: ValidationError) -> str:
    """One line naming the first bad setting and what is allowed."""
    first = error.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:  # model-level checks name their own settings
        return message
    field = str(first["loc"][0])
    name = env_name(field) if field in ScoringSettings.model_fields else field
    return f"{name}: {message} (got {first.get('input')!r})"
